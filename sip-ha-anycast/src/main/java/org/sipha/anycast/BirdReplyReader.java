package org.sipha.anycast;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the bytes BIRD's control socket sends into {@link BirdReply}s, in whatever pieces they are read (the
 * protocol is drawn in {@link BirdControlSocket}): a line is {@code dddd-text} (more lines follow), {@code dddd text}
 * or {@code dddd} (the last line), or {@code  text} (continues the previous line's code); anything else is malformed.
 * A reply over {@link BirdControlSocket#MAX_REPLY_BYTES} is refused. Bytes after a reply stay in the buffer for the
 * next one. One owner thread; not thread-safe.
 */
final class BirdReplyReader {
    private final Path path;
    private final StringBuilder pendingLine = new StringBuilder();
    private final List<BirdReply.Line> lines = new ArrayList<>();
    private int replyBytes;
    private int lastCode = -1;

    /** @param path the control socket, named in error messages */
    BirdReplyReader(Path path) {
        this.path = path;
    }

    /**
     * Consumes bytes of {@code in} up to the end of a reply to {@code command} and returns it, or consumes all of
     * them and returns null if the reply is not complete yet (call again with more).
     *
     * @throws AnnouncerException on a malformed line or a reply (or line) over the size limit; the stream is then
     *     unusable
     */
    BirdReply read(ByteBuffer in, String command) throws AnnouncerException {
        while (in.hasRemaining()) {
            char c = (char) (in.get() & 0xFF);
            if (c != '\n') {
                if (pendingLine.length() >= BirdControlSocket.MAX_REPLY_BYTES) {
                    throw new AnnouncerException("bird " + path + ": reply line too long for '" + command + "'");
                }
                pendingLine.append(c);
                continue;
            }
            String raw = pendingLine.toString();
            pendingLine.setLength(0);
            BirdReply done = line(raw, command);
            if (done != null) {
                return done;
            }
        }
        return null;
    }

    /** One complete line: the reply if it was the last one, else null. */
    private BirdReply line(String raw, String command) throws AnnouncerException {
        replyBytes += raw.length() + 1;
        if (replyBytes > BirdControlSocket.MAX_REPLY_BYTES) {
            throw new AnnouncerException("bird " + path + ": reply to '" + command + "' exceeds "
                    + BirdControlSocket.MAX_REPLY_BYTES + " bytes");
        }
        if (raw.length() >= 5 && isCode(raw) && (raw.charAt(4) == '-' || raw.charAt(4) == ' ')) {
            lastCode = Integer.parseInt(raw, 0, 4, 10);
            lines.add(new BirdReply.Line(lastCode, raw.substring(5)));
            return raw.charAt(4) == ' ' ? finish() : null;
        } else if (raw.length() == 4 && isCode(raw)) {
            lines.add(new BirdReply.Line(Integer.parseInt(raw), ""));
            return finish();
        } else if (!raw.isEmpty() && raw.charAt(0) == ' ' && lastCode >= 0) {
            lines.add(new BirdReply.Line(lastCode, raw.substring(1)));
            return null;
        }
        throw new AnnouncerException(
                "bird " + path + ": malformed reply line to '" + command + "': '" + abbreviate(raw) + "'");
    }

    private BirdReply finish() {
        BirdReply r = new BirdReply(lines);
        lines.clear();
        replyBytes = 0;
        lastCode = -1;
        return r;
    }

    private static boolean isCode(String s) {
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
