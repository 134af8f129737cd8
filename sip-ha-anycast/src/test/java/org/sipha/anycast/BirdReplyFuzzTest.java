package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the BIRD control-socket reply parser ({@link BirdReplyReader}, which builds {@link
 * BirdReply}s): any bytes a daemon (or something pretending to be one) sends, read in pieces the fuzzer chooses,
 * give the replies a plain line-by-line reading of the protocol gives, then either wait for more or throw the
 * typed {@link AnnouncerException} where that reading finds a malformed line; the same whatever the pieces. Every
 * reply has at least one line, codes of four digits, and a final code that is its last line's. A finding is also
 * any other exception, a hang or running out of memory.
 *
 * <p>Input layout: bytes 0 to 3 are read sizes minus one, used in turn; the rest is what the daemon sends. Seeds:
 * replies as BIRD 2 writes them (greeting, {@code show status}, {@code show route ... all}, errors). How fuzz
 * targets run: see {@code SipMessageViewFuzzTest} in sip-ha-core and docs/testing.md.
 */
class BirdReplyFuzzTest {
    private static final int HEADER = 4;
    private static final Pattern CODE_LINE = Pattern.compile("(\\d{4})([- ])(.*)", Pattern.DOTALL);
    private static final Pattern LAST_CODE_ONLY = Pattern.compile("\\d{4}");

    static Stream<Named<byte[]>> seeds() {
        return Stream.of(
                seed("greeting", "0001 BIRD 2.0.12 ready.\n"),
                seed("disable", "0009-sipha_up: disabled\n0000 \n"),
                seed(
                        "show status",
                        "1000-BIRD 2.0.12\n1011-Router ID is 127.0.0.2\n Hostname is test\n"
                                + "1011-Current server time is 2026-01-01 00:00:00.000\n0013 Daemon is up and running\n"),
                seed(
                        "show route all",
                        "0001 BIRD 2.0.12 ready.\n1007-Table master4:\n10.0.0.1/32          unicast [sipha_up 12:00:00.000]"
                                + " * (200)\n\tdev lo\n1008-\tType: static univ\n1012-\tBGP.origin: IGP\n"
                                + " \tBGP.as_path: 65001\n0000 \n"),
                seed("no such protocol", "8003 No protocols match\n"),
                seed("syntax error", "9001 syntax error, unexpected CF_SYM_UNDEFINED\n"),
                seed("code only", "0000\n0001 BIRD ready.\n"),
                seed("malformed", "0001 ok\nhello\n"));
    }

    private static Named<byte[]> seed(String name, String stream) {
        byte[] s = stream.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[HEADER + s.length];
        b[0] = 0;
        b[1] = 6;
        b[2] = 2;
        b[3] = 40;
        System.arraycopy(s, 0, b, HEADER, s.length);
        return Named.of(name, b);
    }

    /** Replies read (as text with codes), and the error that ended the reading, if any. */
    private record Outcome(List<String> replies, boolean failed) {}

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void anyBytesGiveRepliesOrTheTypedErrorWhateverTheReads(byte[] input) {
        int[] reads = new int[HEADER];
        for (int i = 0; i < HEADER; i++) {
            reads[i] = (i < input.length ? input[i] & 0xff : 0) + 1;
        }
        byte[] stream = Arrays.copyOfRange(input, Math.min(HEADER, input.length), input.length);
        Outcome inPieces = read(stream, reads);
        assertEquals(read(stream, new int[] {Math.max(1, stream.length)}), inPieces, "depends on the reads");
        assertEquals(model(stream), inPieces, "differs from a line-by-line reading");
    }

    private static Outcome read(byte[] stream, int[] reads) {
        BirdReplyReader reader = new BirdReplyReader(Path.of("/fuzz/bird.ctl"));
        List<String> replies = new ArrayList<>();
        for (int at = 0, k = 0; at < stream.length; k++) {
            int n = Math.min(reads[k % reads.length], stream.length - at);
            ByteBuffer in = ByteBuffer.wrap(stream, at, n);
            at += n;
            try {
                for (BirdReply r; (r = reader.read(in, "show fuzz")) != null; ) {
                    replies.add(checked(r));
                }
            } catch (AnnouncerException e) {
                return new Outcome(replies, true);
            }
            assertFalse(in.hasRemaining(), "bytes left unread without a reply");
        }
        return new Outcome(replies, false);
    }

    private static String checked(BirdReply r) {
        assertFalse(r.lines().isEmpty(), "a reply without lines");
        for (BirdReply.Line l : r.lines()) {
            assertTrue(l.code() >= 0 && l.code() <= 9999, "code " + l.code());
        }
        assertEquals(r.lines().get(r.lines().size() - 1).code(), r.finalCode());
        assertEquals(r.lines().stream().anyMatch(l -> l.code() >= 8000), r.isError());
        return r.text();
    }

    /** The protocol read line by line with regular expressions: what the parser must give. */
    private static Outcome model(byte[] stream) {
        String s = new String(stream, StandardCharsets.ISO_8859_1);
        List<String> replies = new ArrayList<>();
        List<BirdReply.Line> lines = new ArrayList<>();
        int code = -1;
        int from = 0;
        for (int lf; (lf = s.indexOf('\n', from)) >= 0; from = lf + 1) {
            String line = s.substring(from, lf);
            Matcher m = CODE_LINE.matcher(line);
            if (m.matches()) {
                code = Integer.parseInt(m.group(1));
                lines.add(new BirdReply.Line(code, m.group(3)));
                if (m.group(2).equals(" ")) {
                    replies.add(new BirdReply(lines).text());
                    lines.clear();
                    code = -1;
                }
            } else if (LAST_CODE_ONLY.matcher(line).matches()) {
                lines.add(new BirdReply.Line(Integer.parseInt(line), ""));
                replies.add(new BirdReply(lines).text());
                lines.clear();
                code = -1;
            } else if (line.startsWith(" ") && code >= 0) {
                lines.add(new BirdReply.Line(code, line.substring(1)));
            } else {
                return new Outcome(replies, true);
            }
        }
        return new Outcome(replies, false);
    }
}
