package org.sipha.core.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-level helpers shared by the SIP views. Stateless; any thread.
 *
 * <p>SIP's grammar is ASCII except display names, quoted strings and bodies, so every comparison here is on
 * bytes, case-folded only for ASCII letters.
 */
final class Bytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    private static final byte TOKEN = 1;
    private static final byte LWS = 2;
    private static final byte LIST_SPECIAL = 4;
    /** Ends a parameter name: LWS and {@code ; = ? , < > "}. */
    private static final byte PARAM_NAME_STOP = 8;
    /** Ends an unquoted parameter value: LWS and {@code ; , < > "} ({@code ?} too, in URIs, checked apart). */
    private static final byte PARAM_VALUE_STOP = 16;
    /** Opens a comment, which only a Via value can hold (RFC 2543). */
    private static final byte COMMENT_OPEN = 32;
    /** A token character or a colon: the bytes of a Via parameter value of the common shape. */
    private static final byte TOKEN_OR_COLON = 64;
    /** Character classes by byte value: one table load instead of a chain of comparisons. */
    private static final byte[] CLASS = new byte[256];
    /** ASCII lower-casing by byte value. */
    static final byte[] LOWER = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            LOWER[c] = (byte) ((c >= 'A' && c <= 'Z') ? c + 32 : c);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-.!%*_+`'~".indexOf(c) >= 0) {
                CLASS[c] |= TOKEN | TOKEN_OR_COLON;
            }
        }
        CLASS[' '] |= LWS;
        CLASS['\t'] |= LWS;
        CLASS['\r'] |= LWS;
        CLASS['\n'] |= LWS;
        for (char c : new char[] {' ', '\t', '\r', '\n', ';', ',', '<', '>', '"'}) {
            CLASS[c] |= PARAM_NAME_STOP | PARAM_VALUE_STOP;
        }
        CLASS['='] |= PARAM_NAME_STOP;
        CLASS['?'] |= PARAM_NAME_STOP;
        CLASS['"'] |= LIST_SPECIAL;
        CLASS['<'] |= LIST_SPECIAL;
        CLASS['>'] |= LIST_SPECIAL;
        CLASS[','] |= LIST_SPECIAL;
        CLASS['('] |= COMMENT_OPEN;
        CLASS[':'] |= TOKEN_OR_COLON;
    }

    private Bytes() {}

    static boolean isWsp(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Linear white space, including the CR/LF left inside a folded header value. */
    static boolean isLws(byte b) {
        return (CLASS[b & 0xff] & LWS) != 0;
    }

    private static final long COMMAS = ONES * ',';
    private static final long QUOTES = ONES * '"';
    private static final long LESS = ONES * '<';
    private static final long GREATER = ONES * '>';
    private static final long PARENS = ONES * '(';

    /**
     * The first index in [p, end) holding one of {@code " < > ,} (and {@code (} if {@code comments}), or
     * {@code end}. Eight bytes a step: OR-ing the has-byte masks of each character keeps the lowest set bit
     * exact, because the has-zero-byte trick only ever adds false positives above a true match.
     */
    static int skipToListSpecial(byte[] b, int p, int end, boolean comments) {
        for (; p + 8 <= end; p += 8) {
            long w = (long) LONGS.get(b, p);
            long t = has(w, COMMAS) | has(w, QUOTES) | has(w, LESS) | has(w, GREATER);
            if (comments) {
                t |= has(w, PARENS);
            }
            if (t != 0) {
                return p + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        int stop = comments ? LIST_SPECIAL | COMMENT_OPEN : LIST_SPECIAL;
        while (p < end && (CLASS[b[p] & 0xff] & stop) == 0) {
            p++;
        }
        return p;
    }

    private static final long COLONS = ONES * ':';
    private static final long SEMIS = ONES * ';';

    /**
     * The first index in [p, end) holding {@code <}, {@code :} or {@code ;}, or {@code end}: where a name-addr's
     * display name or addr-spec part ends. Eight bytes a step, exact as {@link #skipToListSpecial} is.
     */
    static int skipToAngleColonSemi(byte[] b, int p, int end) {
        for (; p + 8 <= end; p += 8) {
            long w = (long) LONGS.get(b, p);
            long t = has(w, LESS) | has(w, COLONS) | has(w, SEMIS);
            if (t != 0) {
                return p + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        while (p < end && b[p] != '<' && b[p] != ':' && b[p] != ';') {
            p++;
        }
        return p;
    }

    private static final long BELOW_VISIBLE = ONES * 0x21;
    private static final long DELS = ONES * 0x7f;

    /**
     * The first index in [p, end) holding a control byte, a space or DEL (below 0x21, or 0x7f), or {@code end}:
     * where a Request-URI ends or turns malformed. Eight bytes a step; the less-than test
     * {@code (w - 0x21..) & ~w & 0x80..} flags exactly the lowest such byte, as {@link #has} does.
     */
    static int skipVisible(byte[] b, int p, int end) {
        for (; p + 8 <= end; p += 8) {
            long w = (long) LONGS.get(b, p);
            long t = ((w - BELOW_VISIBLE) & ~w & HIGHS) | has(w, DELS);
            if (t != 0) {
                return p + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        while (p < end && (b[p] & 0xff) >= 0x21 && b[p] != 0x7f) {
            p++;
        }
        return p;
    }

    /**
     * High bit set in each byte of {@code w} equal to the byte repeated in {@code pattern}: the lowest flag is
     * exact; flags above a true match may be false.
     */
    static long hasByte(long w, long pattern) {
        return has(w, pattern);
    }

    /** High bit set in each byte of {@code w} equal to the byte repeated in {@code pattern} (see above). */
    private static long has(long w, long pattern) {
        long x = w ^ pattern;
        return (x - ONES) & ~x & HIGHS;
    }

    /** The first index in [p, end) holding neither a token character nor a colon, or {@code end}. */
    static int skipTokenOrColon(byte[] b, int p, int end) {
        while (p < end && (CLASS[b[p] & 0xff] & TOKEN_OR_COLON) != 0) {
            p++;
        }
        return p;
    }

    static int skipParamName(byte[] b, int p, int end) {
        while (p < end && (CLASS[b[p] & 0xff] & PARAM_NAME_STOP) == 0) {
            p++;
        }
        return p;
    }

    static int skipParamValue(byte[] b, int p, int end, boolean uri) {
        while (p < end && (CLASS[b[p] & 0xff] & PARAM_VALUE_STOP) == 0 && !(uri && b[p] == '?')) {
            p++;
        }
        return p;
    }

    static int skipLws(byte[] b, int p, int end) {
        while (p < end && isLws(b[p])) {
            p++;
        }
        return p;
    }

    /** Returns the end of [start, end) with trailing LWS removed. */
    static int trimLwsEnd(byte[] b, int start, int end) {
        while (end > start && isLws(b[end - 1])) {
            end--;
        }
        return end;
    }

    static int lower(int c) {
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    static boolean equalsIgnoreCase(byte[] b, int off, int len, CharSequence s) {
        if (len != s.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (LOWER[b[off + i] & 0xff] != lower(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** ASCII lower-case bytes of {@code s}, for {@link #equalsLower}. */
    static byte[] lowerBytes(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** True if the {@code len} bytes at {@code off} equal {@code lower} (already lower-case), ignoring ASCII case. */
    static boolean equalsLower(byte[] b, int off, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (LOWER[b[off + i] & 0xff] != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3261 {@code token} characters. */
    static boolean isTokenChar(byte c) {
        return (CLASS[c & 0xff] & TOKEN) != 0;
    }

    /** True if every byte in [off, end) is a {@code token} character. */
    static boolean allTokenChars(byte[] b, int off, int end) {
        for (int i = off; i < end; i++) {
            if ((CLASS[b[i] & 0xff] & TOKEN) == 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Parses [off, end) as unsigned decimal digits. Returns -1 if the range is empty, holds a non-digit, or
     * the value exceeds {@code max}.
     */
    static long parseDigits(byte[] b, int off, int end, long max) {
        if (off >= end) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v > max) {
                return -1;
            }
        }
        return v;
    }

    /**
     * {@code p} points at an opening double quote. Returns the index just after the closing quote, or -1 if
     * the quoted string is not closed before {@code end}. A backslash escapes the next byte (RFC 3261
     * {@code quoted-pair}).
     */
    static int skipQuoted(byte[] b, int p, int end) {
        p++;
        while (p < end) {
            byte c = b[p];
            if (c == '\\') {
                p += 2;
                continue;
            }
            if (c == '"') {
                return p + 1;
            }
            p++;
        }
        return -1;
    }

    /**
     * Index of the first {@code c} in [from, end), or -1. Scans eight bytes per step (SWAR: the classic
     * has-zero-byte test on {@code word ^ pattern}); header lines are long enough for this to matter.
     */
    static int indexOf(byte[] b, int from, int end, byte c) {
        long pattern = ONES * (c & 0xff);
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long t = (x - ONES) & ~x & HIGHS;
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static final long BELOW_SPACE = ONES * 0x20;

    /**
     * The LF ending the line that continues at {@code from}, searched in [from, end): -1 if none, or
     * {@code -2 - i} if byte {@code i} is a control byte other than HTAB, LF, a CR right before LF or a quoted-pair
     * (NUL, bare CR, DEL...): such a line is read differently by different parsers, so it is refused, not passed on. Eight bytes
     * a step, one flag test for every byte below 0x20 and DEL; CR and HTAB take the rare slow step.
     */
    static int lineEnd(byte[] b, int from, int end) {
        int i = from;
        while (true) {
            for (; i + 8 <= end; i += 8) {
                long w = (long) LONGS.get(b, i);
                long t = ((w - BELOW_SPACE) & ~w & HIGHS) | has(w, DELS);
                if (t != 0) {
                    i += Long.numberOfTrailingZeros(t) >>> 3;
                    break;
                }
            }
            while (i < end && (b[i] & 0xff) >= 0x20 && b[i] != 0x7f) {
                i++;
            }
            if (i >= end) {
                return -1;
            }
            byte c = b[i];
            if (c == '\n') {
                return i;
            }
            if (c == '\t' || (c != '\r' && escaped(b, from, i))) {
                i++;
                continue;
            }
            if (c == '\r') {
                if (i + 1 == end) {
                    return -1; // the LF may follow in the next bytes of a stream
                }
                if (b[i + 1] == '\n') {
                    return i + 1;
                }
            }
            return -2 - i;
        }
    }

    /**
     * Whether byte {@code i} follows an odd run of backslashes that starts at or after {@code from}: a quoted-pair,
     * which RFC 3261 25.1 allows for any byte but CR and LF (RFC 4475 3.1.1.2 escapes NUL, BEL and DEL so).
     */
    private static boolean escaped(byte[] b, int from, int i) {
        int n = 0;
        while (i - n - 1 >= from && b[i - n - 1] == '\\') {
            n++;
        }
        return (n & 1) == 1;
    }

    /** Writes the ASCII chars of {@code s} (must be ASCII/Latin-1) into {@code dst} at {@code off}. */
    static int putAscii(CharSequence s, byte[] dst, int off) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            dst[off + i] = (byte) s.charAt(i);
        }
        return off + n;
    }

    static int putInt(int v, byte[] dst, int off) {
        if (v == 0) {
            dst[off] = '0';
            return off + 1;
        }
        int digits = 0;
        for (int t = v; t > 0; t /= 10) {
            digits++;
        }
        int p = off + digits;
        for (int t = v; t > 0; t /= 10) {
            dst[--p] = (byte) ('0' + t % 10);
        }
        return off + digits;
    }
}
