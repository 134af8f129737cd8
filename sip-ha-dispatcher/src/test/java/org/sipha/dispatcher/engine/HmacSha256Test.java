package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;

/** The engine's own RFC 2104 HMAC must equal the JDK's HmacSHA256, for short, block-sized and long keys. */
class HmacSha256Test {
    @Test
    void macEqualsTheJdkHmacSha256ForKeysOfEveryLength() throws Exception {
        Random random = new Random(42);
        for (int keyLength : new int[] {16, 32, 63, 64, 65, 100, 200}) {
            for (int round = 0; round < 20; round++) {
                byte[] key = new byte[keyLength];
                random.nextBytes(key);
                byte[] callId = ascii(random, 1 + random.nextInt(80));
                byte[] tag = ascii(random, random.nextInt(20));
                String text = new String(ascii(random, 1 + random.nextInt(150)), StandardCharsets.US_ASCII);
                long number = random.nextLong();
                HmacSha256 h = new HmacSha256(key);
                h.start((byte) 'X')
                        .update(view(callId))
                        .update(tag, 0, tag.length)
                        .update(text, 0, text.length())
                        .update(number)
                        .update(InetAddress.getByName("192.0.2.7"), 5060, true)
                        .finish();

                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                m.write('X');
                m.write(callId);
                m.write(0);
                m.write(tag);
                m.write(0);
                m.write(text.getBytes(StandardCharsets.US_ASCII));
                m.write(0);
                m.write(ByteBuffer.allocate(8).putLong(number).array());
                m.write(ByteBuffer.allocate(8)
                        .putLong((0xc0000207L << 16) | 5060)
                        .array());
                m.write('T');
                byte[] expected = mac.doFinal(m.toByteArray());
                assertArrayEquals(expected, h.lastMac(), "key length " + keyLength);

                StringBuilder sb = new StringBuilder();
                h.appendBase64Url(sb, 22);
                assertEquals(
                        Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(expected)
                                .substring(0, 22),
                        sb.toString());
                byte[] chars = sb.toString().getBytes(StandardCharsets.US_ASCII);
                assertTrue(h.matchesBase64Url(chars, 0, 22, 22));
                assertFalse(h.matchesBase64Url(chars, 0, 21, 22), "a shorter MAC is no match");
                chars[3] ^= 1;
                assertFalse(h.matchesBase64Url(chars, 0, 22, 22));
            }
        }
    }

    @Test
    void aKeyIsNamedByTheFirstTwoBytesOfItsSha256() throws Exception {
        byte[] key = RouteTokenSigner.keyFromSecret("a deployment secret");
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key);
        String id = String.format("%02x%02x", digest[0] & 0xff, digest[1] & 0xff);
        HmacSha256 h = new HmacSha256(key);
        assertEquals(id, h.keyId());
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        assertTrue(h.hasKeyId(b, 0, 4));
        assertFalse(h.hasKeyId(b, 0, 3));
    }

    private static AsciiView view(byte[] b) {
        return new AsciiView().wrap(b, 0, b.length);
    }

    private static byte[] ascii(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('!' + random.nextInt(94));
        }
        return b;
    }
}
