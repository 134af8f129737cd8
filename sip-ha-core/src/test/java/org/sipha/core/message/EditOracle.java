package org.sipha.core.message;

import static org.sipha.core.message.GeneratedMessage.HeaderLine;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Predicts, from a {@link GeneratedMessage} and the edits applied to it, the exact bytes
 * {@link SipMessageEditor} must write: inserted lines, removed lines or first values, the new Max-Forwards and
 * Request-URI, everything else byte for byte. The one range it cannot spell out is the top Via value after
 * {@code setTopViaReceived}; that value is marked and checked by meaning instead.
 */
final class EditOracle {
    /** An expected output header line: exact text, or a rewritten top Via between known text. */
    record Line(String exact, String beforeTopVia, String afterTopVia) {
        boolean isModifiedTopVia() {
            return exact == null;
        }
    }

    final List<Line> lines = new ArrayList<>();
    /** The Via values the output must hold, in order; null marks the rewritten top Via. */
    final List<String> vias = new ArrayList<>();

    final String tail;
    String startLine;
    int routeCount;
    int recordRouteCount;
    int maxForwards;
    MessageEdit.SetTopViaReceived received;

    private final GeneratedMessage m;
    /** Lines inserted before each original line, in call order (the editor's order at one position). */
    private final List<List<String>> insertBefore = new ArrayList<>();
    /** The new text of each original line: null if unchanged, "" if removed. */
    private final String[] replaced;

    private boolean removeTopVia;
    private String newVia;

    EditOracle(GeneratedMessage m, List<MessageEdit> edits) {
        this.m = m;
        startLine = m.startLine();
        tail = m.eol + m.body;
        routeCount = m.routes.size();
        recordRouteCount = m.recordRoutes.size();
        maxForwards = m.maxForwards;
        replaced = new String[m.lines.size()];
        for (int i = 0; i < m.lines.size(); i++) {
            insertBefore.add(new ArrayList<>());
        }
        edits.forEach(this::predict);
        layOutLines();
        listVias();
    }

    private void predict(MessageEdit e) {
        int firstVia = m.firstLine(SipHeaderName.VIA);
        if (e instanceof MessageEdit.PrependVia p) {
            newVia = p.via().text();
            insertBefore.get(firstVia).add("Via: " + newVia + "\r\n");
        } else if (e instanceof MessageEdit.RemoveTopVia) {
            removeTopVia = true;
            replaced[firstVia] = withoutFirstValue(m.lines.get(firstVia));
        } else if (e instanceof MessageEdit.SetTopViaReceived r) {
            received = r.changes(m.vias.get(0)) ? r : null;
        } else if (e instanceof MessageEdit.PrependRecordRoute p) {
            int at = Math.max(m.firstLine(SipHeaderName.RECORD_ROUTE), 0);
            insertBefore.get(at).add("Record-Route: " + p.entry().text("\r\n") + "\r\n");
            recordRouteCount++;
        } else if (e instanceof MessageEdit.RemoveTopRoute) {
            int at = m.firstLine(SipHeaderName.ROUTE);
            replaced[at] = withoutFirstValue(m.lines.get(at));
            routeCount--;
        } else if (e instanceof MessageEdit.SetMaxForwards s) {
            maxForwards = s.value();
            int at = m.firstLine(SipHeaderName.MAX_FORWARDS);
            if (at >= 0) {
                HeaderLine l = m.lines.get(at);
                replaced[at] = l.name() + l.colon() + s.value() + l.suffix();
            } else {
                insertBefore.get(0).add("Max-Forwards: " + s.value() + "\r\n");
            }
        } else if (e instanceof MessageEdit.SetRequestUri s) {
            startLine = m.startLine(s.uri());
        } else {
            throw new IllegalArgumentException("EditOracle does not predict " + e);
        }
    }

    private void layOutLines() {
        int firstVia = m.firstLine(SipHeaderName.VIA);
        for (int i = 0; i < m.lines.size(); i++) {
            for (String inserted : insertBefore.get(i)) {
                lines.add(new Line(inserted, null, null));
            }
            HeaderLine l = m.lines.get(i);
            if (i == firstVia && received != null) {
                lines.add(new Line(null, l.name() + l.colon(), l.afterFirstValue()));
            } else if (replaced[i] == null) {
                lines.add(new Line(l.raw(), null, null));
            } else if (!replaced[i].isEmpty()) {
                lines.add(new Line(replaced[i], null, null));
            }
        }
    }

    private void listVias() {
        if (newVia != null) {
            vias.add(newVia);
        }
        List<String> original = m.viaTexts();
        if (!removeTopVia) {
            vias.add(received == null ? original.get(0) : null);
        }
        vias.addAll(original.subList(1, original.size()));
    }

    /** The line without its first value, or "" when that value is the line's only one (the line goes). */
    private static String withoutFirstValue(HeaderLine l) {
        return l.values().size() == 1 ? "" : l.rawWithoutFirstValue();
    }

    /** Checks a rewritten top Via against the original: same sent-by and branch, the new received and rport. */
    static void checkReceived(ViaView out, ViaSpec original, MessageEdit.SetTopViaReceived edit) {
        check(out.transport().contentEquals(original.transport()), "transport", out);
        check(out.host().contentEquals(original.host()), "host", out);
        check(out.port() == original.port(), "port", out);
        check(equal(out.branch(), original.branch()), "branch", out);
        String received = edit.host() != null ? edit.host() : original.received();
        check(equal(out.received(), received), "received", out);
        check(out.hasRport() == original.hasRport(), "rport presence", out);
        int rport = edit.port() >= 0 && original.hasRport() ? edit.port() : original.rport();
        check(out.rport() == rport, "rport value", out);
        for (GeneratedMessage.Param p : original.params()) {
            if (!p.name().equalsIgnoreCase("received") && !p.name().equalsIgnoreCase("rport")) {
                GeneratedMessage.Param first = original.param(p.name());
                String want = first.value() == null ? "" : first.value();
                check(equal(out.param(p.name()), want), "param " + p.name(), out);
            }
        }
    }

    static boolean equal(AsciiView v, String s) {
        return v == null ? s == null : s != null && Latin1.of(v).equals(s);
    }

    private static void check(boolean ok, String what, ViaView v) {
        if (!ok) {
            throw new AssertionError("rewritten top Via has wrong " + what + ": " + Latin1.of(v.asText()));
        }
    }
}
