package org.sipha.benchmarks.drill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DrillMain [--short] [--anchor kamailio] [--out DIR] [--jar PROXY_JAR] [--scenarios DIR] [--faults 2,8] [--answer-delay-ms N] [--trying-at-once]}: runs the drill
 * with the reference proxy as the site node (and then with the Kamailio anchor when asked), and writes
 * {@code report.md} and one SVG per run to the output folder. Needs root. Runs on the main thread.
 */
public final class DrillMain {
    private DrillMain() {}

    public static void main(String[] args) throws Exception {
        boolean shortForm = false;
        boolean anchor = false;
        Path out = Path.of("drill-out");
        String jarEnv = System.getenv("SIPHA_JAR");
        Path jar = Path.of(jarEnv != null ? jarEnv : "examples/target/sip-ha-proxy.jar");
        Path scenarios = Path.of("benchmarks", "drill");
        String faults = null;
        int answerDelayMs = 0;
        boolean tryingAtOnce = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--short" -> shortForm = true;
                case "--anchor" -> {
                    if (!"kamailio".equals(args[++i])) {
                        usage("--anchor: only kamailio");
                    }
                    anchor = true;
                }
                case "--out" -> out = Path.of(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--scenarios" -> scenarios = Path.of(args[++i]);
                case "--faults" -> faults = args[++i];
                case "--answer-delay-ms" -> answerDelayMs = Integer.parseInt(args[++i]);
                case "--trying-at-once" -> tryingAtOnce = true;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (!Files.isReadable(jar)) {
            usage(jar + " missing (mvn -B -q -pl examples -am package -DskipTests)");
        }
        DrillOptions node = DrillOptions.of(
                shortForm, false, out.toAbsolutePath(), jar.toAbsolutePath(), scenarios.toAbsolutePath());
        if (faults != null) {
            node = node.onlyFaults(faults);
        }
        node = node.withAnswerDelayMs(answerDelayMs);
        if (tryingAtOnce) {
            node = node.withTryingAtOnce();
        }
        List<DrillRun> runs = new ArrayList<>();
        runs.add(runOnce(node));
        if (anchor) {
            runs.add(runOnce(node.asAnchor(out.resolve("anchor").toAbsolutePath())));
        }
        Path report = out.resolve("report.md");
        Files.writeString(report, DrillReport.markdown(runs));
        System.out.print(Files.readString(report));
    }

    static DrillRun runOnce(DrillOptions options) throws Exception {
        DrillRun run = new Drill(options).run();
        Files.writeString(
                options.out().resolve(options.anchor() ? "drill-kamailio.svg" : "drill-site-node.svg"),
                SiteRateSvg.svg(run));
        return run;
    }

    private static void usage(String why) {
        System.err.println(why);
        System.err.println(
                "usage: DrillMain [--short] [--anchor kamailio] [--out DIR] [--jar PROXY_JAR] [--scenarios DIR] [--faults 2,8] [--answer-delay-ms N] [--trying-at-once]");
        System.exit(2);
    }
}
