package org.sipha.core.message;

import static org.sipha.core.message.GeneratedMessage.HeaderLine;
import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;
import static org.sipha.core.message.SipMessageGenerator.pick;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Lays the parts of a generated message out as header lines, making every choice RFC 3261 leaves free from one
 * seeded {@link Random}: header order (the order of Via, Route and Record-Route values is kept), compact or
 * long names in any letter case, LWS around the colon, trailing LWS, folded lines, several values on one line
 * or one value per line, and CRLF or (one message in ten) bare LF line ends.
 */
final class MessageLayout {
    record Head(boolean request, String method, String requestUri, int statusCode, String reason) {}

    record Parties(NameAddrSpec from, NameAddrSpec to, List<NameAddrSpec> contacts) {}

    record Ids(String callId, long cseq, int maxForwards) {}

    record Extras(List<String[]> headers, long layoutSeed) {}

    private final Random r;
    private final String eol;

    private MessageLayout(Random r, String eol) {
        this.r = r;
        this.eol = eol;
    }

    static GeneratedMessage build(
            Head h,
            List<ViaSpec> vias,
            List<NameAddrSpec> routes,
            List<NameAddrSpec> recordRoutes,
            Parties p,
            Ids ids,
            String body,
            Extras x) {
        Random r = new Random(x.layoutSeed());
        MessageLayout l = new MessageLayout(r, r.nextInt(10) == 0 ? "\n" : "\r\n");
        List<NameAddrSpec> routeSet = h.request() ? routes : List.of();
        int maxForwards = h.request() || r.nextInt(10) == 0 ? ids.maxForwards() : -1;

        List<Deque<HeaderLine>> groups = new ArrayList<>();
        List<String> viaTexts = new ArrayList<>();
        vias.forEach(v -> viaTexts.add(v.text()));
        Deque<HeaderLine> viaLines = l.multi(SipHeaderName.VIA, viaTexts);
        groups.add(l.multi(SipHeaderName.ROUTE, l.texts(routeSet)));
        groups.add(l.multi(SipHeaderName.RECORD_ROUTE, l.texts(recordRoutes)));
        groups.add(l.multi(SipHeaderName.CONTACT, l.texts(p.contacts())));
        groups.add(l.single(SipHeaderName.FROM, p.from().text(l.eol)));
        groups.add(l.single(SipHeaderName.TO, p.to().text(l.eol)));
        groups.add(l.single(SipHeaderName.CALL_ID, ids.callId()));
        groups.add(l.single(SipHeaderName.CSEQ, ids.cseq() + pick(r, 85, " ", "  ", "\t") + h.method()));
        if (maxForwards >= 0) {
            groups.add(l.single(SipHeaderName.MAX_FORWARDS, String.valueOf(maxForwards)));
        }
        if (r.nextInt(3) == 0) {
            groups.add(l.single(SipHeaderName.SUBJECT, l.maybeFold("lunch at the usual place")));
        }
        if (r.nextInt(3) == 0) {
            groups.add(l.single(SipHeaderName.SUPPORTED, l.maybeFold("100rel, timer, path")));
        }
        if (!body.isEmpty()) {
            groups.add(l.single(SipHeaderName.CONTENT_TYPE, "application/sdp"));
        }
        groups.add(l.single(SipHeaderName.CONTENT_LENGTH, (r.nextInt(20) == 0 ? "0" : "") + body.length()));
        for (String[] e : x.headers()) {
            groups.add(l.extra(e[0], e[1]));
        }

        List<HeaderLine> lines = new ArrayList<>();
        if (r.nextBoolean()) {
            lines.addAll(viaLines);
        } else {
            groups.add(viaLines);
        }
        l.interleave(groups, lines);
        String reason = h.request() ? null : h.reason();
        return new GeneratedMessage(
                l.eol,
                h.request(),
                h.method(),
                h.requestUri(),
                h.statusCode(),
                reason,
                ids.callId(),
                ids.cseq(),
                vias,
                routeSet,
                recordRoutes,
                p.contacts(),
                p.from(),
                p.to(),
                maxForwards,
                body,
                lines);
    }

    private List<String> texts(List<NameAddrSpec> specs) {
        List<String> out = new ArrayList<>();
        specs.forEach(s -> out.add(s.text(eol)));
        return out;
    }

    /** Spreads the values over lines of one to three values each, separated by commas, some folded. */
    private Deque<HeaderLine> multi(SipHeaderName kind, List<String> values) {
        Deque<HeaderLine> lines = new ArrayDeque<>();
        int i = 0;
        while (i < values.size()) {
            int n = Math.min(values.size() - i, 1 + r.nextInt(3));
            List<String> seps = new ArrayList<>();
            for (int k = 1; k < n; k++) {
                seps.add(pick(r, 40, ",", ", ", " , ", "," + eol + " ", ", " + eol + "\t"));
            }
            lines.add(new HeaderLine(kind, name(kind), colon(), List.copyOf(values.subList(i, i + n)), seps, suffix()));
            i += n;
        }
        return lines;
    }

    private Deque<HeaderLine> single(SipHeaderName kind, String value) {
        return new ArrayDeque<>(List.of(HeaderLine.single(kind, name(kind), colon(), value, suffix())));
    }

    /** An unknown header; one in twenty starts its value on a continuation line. */
    private Deque<HeaderLine> extra(String name, String value) {
        String colon = !value.isEmpty() && r.nextInt(20) == 0 ? ":" + eol + " " : colon();
        return new ArrayDeque<>(
                List.of(HeaderLine.single(SipHeaderName.OTHER, name, colon, maybeFold(value), suffix())));
    }

    private String maybeFold(String value) {
        int space = value.indexOf(' ', r.nextInt(value.length() + 1));
        if (space <= 0 || r.nextInt(4) != 0) {
            return value;
        }
        return value.substring(0, space) + eol + pick(r, 50, " ", "\t") + value.substring(space + 1);
    }

    private String name(SipHeaderName kind) {
        int x = r.nextInt(100);
        char compact = kind.compactForm();
        if (compact != 0 && x < 25) {
            return String.valueOf(r.nextBoolean() ? compact : Character.toUpperCase(compact));
        }
        if (x < 50) {
            StringBuilder s = new StringBuilder();
            for (char c : kind.canonicalName().toCharArray()) {
                s.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
            }
            return s.toString();
        }
        return kind.canonicalName();
    }

    private String colon() {
        return pick(r, 75, ": ", ":", " : ", "\t:\t", ":  ");
    }

    private String suffix() {
        return pick(r, 90, eol, " " + eol, "\t" + eol);
    }

    /** A random merge of the groups that keeps the order inside each group. */
    private void interleave(List<Deque<HeaderLine>> groups, List<HeaderLine> out) {
        int remaining = 0;
        for (Deque<HeaderLine> g : groups) {
            remaining += g.size();
        }
        while (remaining > 0) {
            int k = r.nextInt(remaining);
            for (Deque<HeaderLine> g : groups) {
                if (k < g.size()) {
                    out.add(g.removeFirst());
                    break;
                }
                k -= g.size();
            }
            remaining--;
        }
    }
}
