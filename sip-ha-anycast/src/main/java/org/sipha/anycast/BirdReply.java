package org.sipha.anycast;

import java.util.List;

/**
 * One parsed reply of BIRD's control socket: every line with its 4-digit code (continuation lines, which start
 * with a space on the wire, carry the code of the line they continue).
 *
 * <p>Codes: 0xxx success, 1xxx data, 2xxx table heading, 8xxx run-time error, 9xxx parse error.
 * Immutable; safe to share.
 */
public record BirdReply(List<Line> lines) {

    /** One reply line. */
    public record Line(int code, String text) {}

    public BirdReply {
        lines = List.copyOf(lines);
    }

    /** Code of the line that ended the reply. */
    public int finalCode() {
        return lines.isEmpty() ? -1 : lines.get(lines.size() - 1).code();
    }

    /** True if any line carries an 8xxx (run-time) or 9xxx (parse) error code. */
    public boolean isError() {
        for (Line l : lines) {
            if (l.code() >= 8000) {
                return true;
            }
        }
        return false;
    }

    /** True if some line has exactly this code. */
    public boolean hasCode(int code) {
        for (Line l : lines) {
            if (l.code() == code) {
                return true;
            }
        }
        return false;
    }

    /** All lines joined by newlines, without codes: for error messages and logs. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(String.format("%04d", l.code())).append(' ').append(l.text());
        }
        return sb.toString();
    }
}
