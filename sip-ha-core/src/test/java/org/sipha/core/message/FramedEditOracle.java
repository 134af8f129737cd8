package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/**
 * Predicts, line by line, what {@link SipMessageEditor} writes for any message a {@link SipMessageView} has
 * framed, from the positions its parse recorded (where {@link EditOracle} works from a generated message): the
 * start line, each header line (inserted lines, untouched lines, a removed first value, a new Max-Forwards) byte
 * for byte, and the empty line and body unchanged. The one line it cannot spell out is the top Via's after
 * {@code setTopViaReceived}: only the text around that value is predicted, the value is checked by meaning.
 */
final class FramedEditOracle {
    private final String startLine;
    /** The output's header lines; null marks the stamped top Via's line. */
    private final List<String> lines = new ArrayList<>();

    private final String tail;
    private String beforeStampedVia;
    private String afterStampedVia;

    /** {@code v} is framed on the original and was not re-wrapped; {@code edits} were applied in this order. */
    FramedEditOracle(SipMessageView v, List<MessageEdit> edits) {
        SipFramer f = v.framer();
        int n = f.headerCount;
        List<List<String>> insertBefore = new ArrayList<>();
        for (int h = 0; h < n; h++) {
            insertBefore.add(new ArrayList<>());
        }
        String[] replaced = new String[n];
        int stamped = -1;
        String start = text(f, f.messageStart, f.startLineEnd);
        for (MessageEdit e : edits) {
            if (e instanceof MessageEdit.PrependVia p) {
                insertBefore
                        .get(firstLine(f, SipHeaderName.VIA))
                        .add("Via: " + p.via().text() + "\r\n");
            } else if (e instanceof MessageEdit.PrependRecordRoute p) {
                insertBefore
                        .get(firstLine(f, SipHeaderName.RECORD_ROUTE))
                        .add("Record-Route: " + p.entry().text("\r\n") + "\r\n");
            } else if (e instanceof MessageEdit.RemoveTopVia) {
                removeFirstValue(f, v.viaList(), replaced);
            } else if (e instanceof MessageEdit.RemoveTopRoute) {
                removeFirstValue(f, v.routeList(), replaced);
            } else if (e instanceof MessageEdit.SetMaxForwards s) {
                int h = f.firstOfKind[SipHeaderName.MAX_FORWARDS.ordinal()];
                if (h >= 0) {
                    replaced[h] =
                            text(f, f.lineStart[h], f.valueStart[h]) + s.value() + text(f, f.valueEnd[h], f.lineEnd[h]);
                } else {
                    insertBefore.get(0).add("Max-Forwards: " + s.value() + "\r\n");
                }
            } else if (e instanceof MessageEdit.SetRequestUri s) {
                start = text(f, f.messageStart, f.uriStart) + s.uri() + text(f, f.uriEnd, f.startLineEnd);
            } else if (e instanceof MessageEdit.SetTopViaReceived
                    || e instanceof MessageEdit.SetTopViaReceivedAndRport) {
                AsciiView top = v.topVia().asText();
                stamped = lineOf(f, top.offset());
                beforeStampedVia = text(f, f.lineStart[stamped], top.offset());
                afterStampedVia = text(f, top.offset() + top.length(), f.lineEnd[stamped]);
            } else {
                throw new IllegalArgumentException("not predicted: " + e);
            }
        }
        startLine = start;
        for (int h = 0; h < n; h++) {
            lines.addAll(insertBefore.get(h));
            if (h == stamped) {
                lines.add(null);
            } else if (replaced[h] == null) {
                lines.add(text(f, f.lineStart[h], f.lineEnd[h]));
            } else if (!replaced[h].isEmpty()) {
                lines.add(replaced[h]);
            }
        }
        tail = text(f, n == 0 ? f.startLineEnd : f.lineEnd[n - 1], f.frameEnd);
    }

    /**
     * Checks the output {@code w} framed line by line against the prediction. Returns the range {@code [from, to)}
     * of {@code w}'s buffer between the predicted text around the stamped top Via, which that value must fill
     * exactly (null if no edit stamped it).
     */
    int[] assertLinesAsPredicted(SipMessageView w) {
        SipFramer f = w.framer();
        assertEquals(startLine, text(f, f.messageStart, f.startLineEnd), "start line");
        assertEquals(lines.size(), f.headerCount, () -> "header lines of\n" + w);
        int[] stampedValue = null;
        for (int h = 0; h < lines.size(); h++) {
            String got = text(f, f.lineStart[h], f.lineEnd[h]);
            String want = lines.get(h);
            if (want != null) {
                assertEquals(show(want), show(got), "header line " + h);
                continue;
            }
            int from = f.lineStart[h] + beforeStampedVia.length();
            int to = f.lineEnd[h] - afterStampedVia.length();
            assertTrue(
                    to >= from && got.startsWith(beforeStampedVia) && got.endsWith(afterStampedVia),
                    () -> "text around the stamped Via changed: " + show(got));
            stampedValue = new int[] {from, to};
        }
        int n = f.headerCount;
        assertEquals(
                show(tail),
                show(text(f, n == 0 ? f.startLineEnd : f.lineEnd[n - 1], f.frameEnd)),
                "empty line and body");
        return stampedValue;
    }

    /** The line loses its first value, or goes when that value is its only one. */
    private static void removeFirstValue(SipFramer f, ValueList l, String[] replaced) {
        int h = l.header[0];
        if (l.count > 1 && l.header[1] == h) {
            replaced[h] = text(f, f.lineStart[h], l.starts[0]) + text(f, l.starts[1], f.lineEnd[h]);
        } else {
            replaced[h] = "";
        }
    }

    /** The first line of {@code kind}, or the first header line (right after the start line) if there is none. */
    private static int firstLine(SipFramer f, SipHeaderName kind) {
        return Math.max(f.firstOfKind[kind.ordinal()], 0);
    }

    private static int lineOf(SipFramer f, int offset) {
        for (int h = 0; h < f.headerCount; h++) {
            if (offset >= f.lineStart[h] && offset < f.lineEnd[h]) {
                return h;
            }
        }
        throw new AssertionError("no header line holds offset " + offset);
    }

    private static String text(SipFramer f, int from, int to) {
        return Latin1.of(f.buf, from, to - from);
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
