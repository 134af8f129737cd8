package org.sipha.examples.proxy;

import java.nio.charset.StandardCharsets;
import org.sipha.core.message.AsciiView;

/**
 * Writes a SIP message as bytes into one reusable array: the demo backend's responses and the warm-up's requests.
 * Not a general-purpose builder: it exists so that the warm-up's own traffic costs the JIT little (the StringBuilder
 * versions of these writers cost C2 seconds of compiling that the proxy's own code waited for). One thread at a time.
 */
final class AsciiWriter {
    /** A message copies at most a received message's header values (under 64 KB) plus a few hundred bytes. */
    private final byte[] out = new byte[2 * 65536];

    private int pos;

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Starts a new message. */
    AsciiWriter reset() {
        pos = 0;
        return this;
    }

    /** Ends a line (CR LF). */
    AsciiWriter crlf() {
        out[pos++] = '\r';
        out[pos++] = '\n';
        return this;
    }

    AsciiWriter put(byte[] b) {
        System.arraycopy(b, 0, out, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Writes the first {@code length} bytes of {@code b}. */
    AsciiWriter put(byte[] b, int length) {
        System.arraycopy(b, 0, out, pos, length);
        pos += length;
        return this;
    }

    AsciiWriter put(AsciiView v) {
        pos = v.copyTo(out, pos);
        return this;
    }

    /** Writes a non-negative number in decimal. */
    AsciiWriter putNumber(long n) {
        if (n >= 10) {
            putNumber(n / 10);
        }
        out[pos++] = (byte) ('0' + n % 10);
        return this;
    }

    byte[] array() {
        return out;
    }

    int length() {
        return pos;
    }
}
