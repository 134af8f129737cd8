package org.sipha.benchmarks.drill;

import java.util.Locale;

/**
 * The picture: calls answered per second at each site over the load, with each fault's injection (red) and repair
 * (green) marked. Plain SVG text, no plotting tool. Stateless.
 */
final class SiteRateSvg {
    private static final int W = 1000;
    private static final int H = 320;
    private static final int LEFT = 50;
    private static final int TOP = 30;
    private static final int PLOT_W = W - LEFT - 20;
    private static final int PLOT_H = H - TOP - 40;

    private SiteRateSvg() {}

    static String svg(DrillRun run) {
        int seconds = (int) Math.ceil((run.loadEndMs() - run.loadStartMs()) / 1000)
                + run.options().holdMs() / 1000
                + 2;
        int[] a = new int[seconds];
        int[] b = new int[seconds];
        for (CallLog.Call c : run.calls()) {
            if (!c.answered()) {
                continue;
            }
            int s = (int) ((c.answerMs() - run.loadStartMs()) / 1000);
            if (s >= 0 && s < seconds) {
                (Topology.A.owns(c.pbx()) ? a : b)[s]++;
            }
        }
        int max = 10;
        for (int i = 0; i < seconds; i++) {
            max = Math.max(max, Math.max(a[i], b[i]));
        }
        max = (max + 9) / 10 * 10;
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                W,
                H));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"18\" font-size=\"13\">Calls answered per second at each site: %s (%s)</text>%n",
                LEFT,
                run.proxy(),
                run.options().shortForm() ? "short form" : "full drill"));
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                LEFT,
                TOP,
                PLOT_W,
                PLOT_H));
        for (int v = 0; v <= max; v += max / 5) {
            double y = y(v, max);
            s.append(String.format(
                    Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", LEFT - 4, y + 4, v));
        }
        for (int t = 0; t < seconds; t += 30) {
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>%n",
                    x(t, seconds),
                    TOP + PLOT_H + 14,
                    t));
        }
        for (FaultWindow w : run.windows()) {
            marker(s, (w.injectMs() - run.loadStartMs()) / 1000, seconds, "#d62728", w.fault().id);
            marker(s, (w.recoverMs() - run.loadStartMs()) / 1000, seconds, "#2ca02c", "");
        }
        line(s, a, max, seconds, "#1f77b4");
        line(s, b, max, seconds, "#ff7f0e");
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">site A (preferred)</text>"
                        + "<text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">site B</text>"
                        + "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">fault injected</text>"
                        + "<text x=\"%d\" y=\"%d\" fill=\"#2ca02c\">repaired</text>%n",
                LEFT,
                H - 8,
                LEFT + 130,
                H - 8,
                LEFT + 200,
                H - 8,
                LEFT + 300,
                H - 8));
        s.append("</svg>\n");
        return s.toString();
    }

    private static void line(StringBuilder s, int[] perSecond, int max, int seconds, String colour) {
        s.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < perSecond.length; i++) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(i + 0.5, seconds), y(perSecond[i], max)));
        }
        s.append("\"/>\n");
    }

    private static void marker(StringBuilder s, double t, int seconds, String colour, String label) {
        double x = x(t, seconds);
        s.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"4,3\"/>%n",
                x,
                TOP,
                x,
                TOP + PLOT_H,
                colour));
        if (!label.isEmpty()) {
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP - 3,
                    colour,
                    label));
        }
    }

    private static double x(double t, int seconds) {
        return LEFT + PLOT_W * t / seconds;
    }

    private static double y(int v, int max) {
        return TOP + PLOT_H - (double) PLOT_H * v / max;
    }
}
