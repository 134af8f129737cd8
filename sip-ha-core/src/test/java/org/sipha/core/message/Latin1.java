package org.sipha.core.message;

import java.nio.charset.StandardCharsets;

/** Byte-for-byte text for tests: each byte becomes the char of the same value (ISO-8859-1). */
final class Latin1 {
    private Latin1() {}

    static String of(AsciiView v) {
        return v == null ? null : new String(v.buffer(), v.offset(), v.length(), StandardCharsets.ISO_8859_1);
    }

    static String of(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
