package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;

class SipHashMacTest {
    /** The reference key 00 01 .. 0f as SipHash's two little-endian words. */
    private static final long K0 = 0x0706050403020100L;

    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /** SipHash-2-4-128's reference vectors (Aumasson and Bernstein): messages 00, 00 01, ... of length 0, 1, 2. */
    private static final String[] SIP128 = {
        "a3817f04ba25a8e66df67214c7550293", "da87c1d86b99af44347659119b22fc45", "8177228da4a45dc7fca38bdef60affe4"
    };

    /** SipHash-2-4's 64-bit reference vectors for the same messages. */
    private static final String[] SIP64 = {"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d"};

    @Test
    void theReference128BitVectorsHoldForTheStateAndTheMacsByteOrder() {
        for (int len = 0; len < SIP128.length; len++) {
            byte[] m = message(len);
            SipHashState state = new SipHashState(2, 4, true);
            state.start(K0, K1);
            state.absorb(m, 0, m.length);
            byte[] expected = HexFormat.of().parseHex(SIP128[len]);
            assertEquals(littleEndian(expected, 0), state.finish(), "first half, " + len + " bytes");
            assertEquals(littleEndian(expected, 8), state.high(), "second half, " + len + " bytes");
        }
        SipHashMac mac = new SipHashMac(K0, K1);
        mac.start().finish(); // the empty message
        assertArrayEquals(HexFormat.of().parseHex(SIP128[0]), mac.lastMac());
    }

    @Test
    void stateMatchesTheReference64BitVectorsFedWholeOrByteByByte() {
        for (int len = 0; len < SIP64.length; len++) {
            byte[] m = message(len);
            SipHashState whole = new SipHashState(2, 4, false);
            whole.start(K0, K1);
            whole.absorb(m, 0, m.length);
            SipHashState bytes = new SipHashState(2, 4, false);
            bytes.start(K0, K1);
            for (byte b : m) {
                bytes.absorb(b);
            }
            long expected = Long.reverseBytes(Long.parseUnsignedLong(SIP64[len], 16));
            assertEquals(expected, whole.finish(), "whole, " + len + " bytes");
            assertEquals(expected, bytes.finish(), "byte by byte, " + len + " bytes");
        }
    }

    @Test
    void splittingAMessageDoesNotChangeTheHashButTheSeparatorsDo() {
        byte[] m = "a84b4c76e66710@pc33.atlanta.example.com;z9hG4bK776asdhds".getBytes(StandardCharsets.US_ASCII);
        SipHashState whole = new SipHashState(2, 4, true);
        whole.start(K0, K1);
        whole.absorb(m, 0, m.length);
        long h0 = whole.finish();
        long h1 = whole.high();
        for (int cut = 0; cut <= m.length; cut++) {
            SipHashState split = new SipHashState(2, 4, true);
            split.start(K0, K1);
            split.absorb(m, 0, cut);
            split.absorb(m, cut, m.length - cut);
            assertEquals(h0, split.finish(), "cut at " + cut);
            assertEquals(h1, split.high(), "cut at " + cut);
        }
        // update() ends each piece with a separator, so "ab"+"c" and "a"+"bc" differ
        SipHashMac mac = new SipHashMac(K0, K1);
        mac.start((byte) 'L').update(view("ab")).update(view("c")).finish();
        byte[] first = mac.lastMac();
        mac.start((byte) 'L').update(view("a")).update(view("bc")).finish();
        assertNotEquals(HexFormat.of().formatHex(first), HexFormat.of().formatHex(mac.lastMac()));
    }

    @Test
    void keysDerivedFromDifferentRecordRouteKeysGiveDifferentMacsAndTheTextVerifies() {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k2[31] = 1;
        SipHashMac a = new SipHashMac(k1);
        SipHashMac b = new SipHashMac(k2);
        StringBuilder sa = new StringBuilder();
        a.start((byte) 'L').update(view("call-1")).update(42L).finish();
        a.appendBase64Url(sa, 16);
        b.start((byte) 'L').update(view("call-1")).update(42L).finish();
        byte[] text = sa.toString().getBytes(StandardCharsets.US_ASCII);
        assertFalse(b.matchesBase64Url(text, 0, 16, 16), "another key must not verify");
        a.start((byte) 'L').update(view("call-1")).update(42L).finish();
        assertTrue(a.matchesBase64Url(text, 0, 16, 16));
        text[5] ^= 1;
        assertFalse(a.matchesBase64Url(text, 0, 16, 16), "one changed character must not verify");
    }

    private static long littleEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static byte[] message(int len) {
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }
}
