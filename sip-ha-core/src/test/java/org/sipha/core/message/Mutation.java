package org.sipha.core.message;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One corruption of a message's bytes: a byte overwritten, bytes that matter to SIP's grammar inserted (CR, LF,
 * NUL, quotes, commas, colons, brackets, high bytes, and snippets that look like headers or huge numbers), a
 * range deleted, the message truncated, or a line duplicated.
 */
record Mutation(Mutation.Kind kind, int where, int arg) {
    enum Kind {
        OVERWRITE,
        INSERT_BYTE,
        INSERT_TEXT,
        DELETE,
        TRUNCATE,
        DUPLICATE_LINE
    }

    private static final int SCALE = 1 << 20;
    private static final byte[] SPECIAL = {
        '\r',
        '\n',
        0,
        '"',
        ',',
        ':',
        ';',
        '<',
        '>',
        '\\',
        '[',
        ']',
        ' ',
        '\t',
        (byte) 0x80,
        (byte) 0xff,
        '@',
        '=',
        '(',
        ')',
        '/',
        '%',
        '?'
    };
    private static final String[] SNIPPETS = {
        "\r\n",
        "\r\n ",
        "\n\n",
        "\r\n\r\n",
        ",,",
        ", ,",
        "\"",
        "\\",
        ";;",
        ";rport=99999",
        ";branch",
        ";received",
        ";rport=",
        "<sip:",
        "<",
        ">",
        "[::",
        "]:",
        ":65536",
        "\r\nVia: ",
        "\r\nv: SIP/2.0/UDP [::1",
        "\r\nContent-Length: 99999\r\n",
        "\r\nl: 1\r\n",
        "\r\nl: x\r\n",
        "SIP/2.0/",
        "99999999999999999999",
        " SIP/2.0",
        "(",
        "\r\nRoute: <sip:a;lr>,\r\n",
        "\r\nCSeq: 1\r\n"
    };

    /** Any kind, at a uniformly chosen place with a uniform argument, so mutations hit every part of a message. */
    static Mutation any(Random r) {
        Kind[] kinds = Kind.values();
        return new Mutation(kinds[r.nextInt(kinds.length)], r.nextInt(SCALE + 1), r.nextInt(256));
    }

    static List<Mutation> list(Random r, int minSize, int maxSize) {
        return BiasedDraws.list(r, minSize, maxSize, Mutation::any);
    }

    byte[] apply(byte[] b) {
        int pos = (int) ((long) where * b.length / (SCALE + 1));
        switch (kind) {
            case OVERWRITE:
                if (b.length == 0) {
                    return b;
                }
                byte[] o = b.clone();
                o[pos] = arg % 2 == 0 ? SPECIAL[arg / 2 % SPECIAL.length] : (byte) arg;
                return o;
            case INSERT_BYTE:
                byte[] bytes = new byte[1 + arg % 3];
                Arrays.fill(bytes, SPECIAL[arg % SPECIAL.length]);
                return insert(b, pos, bytes);
            case INSERT_TEXT:
                return insert(b, pos, Latin1.bytes(SNIPPETS[arg % SNIPPETS.length]));
            case DELETE:
                int end = Math.min(b.length, pos + 1 + arg % 8);
                return concat(Arrays.copyOfRange(b, 0, pos), Arrays.copyOfRange(b, end, b.length));
            case TRUNCATE:
                return Arrays.copyOf(b, pos);
            case DUPLICATE_LINE:
                int s = pos;
                while (s > 0 && b[s - 1] != '\n') {
                    s--;
                }
                int e = pos;
                while (e < b.length && b[e] != '\n') {
                    e++;
                }
                e = Math.min(b.length, e + 1);
                return insert(b, e, Arrays.copyOfRange(b, s, e));
            default:
                throw new AssertionError(kind);
        }
    }

    private static byte[] insert(byte[] b, int pos, byte[] bytes) {
        return concat(concat(Arrays.copyOfRange(b, 0, pos), bytes), Arrays.copyOfRange(b, pos, b.length));
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
