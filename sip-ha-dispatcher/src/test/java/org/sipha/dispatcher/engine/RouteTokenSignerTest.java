package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;

/** The signer's own RFC 2104 HMAC must equal the JDK's HmacSHA256, for short, block-sized and long keys. */
class RouteTokenSignerTest {
    @Test
    void macEqualsTheJdkHmacSha256ForKeysOfEveryLength() throws Exception {
        Random random = new Random(42);
        for (int keyLength : new int[] {16, 32, 63, 64, 65, 100, 200}) {
            for (int round = 0; round < 20; round++) {
                byte[] key = new byte[keyLength];
                random.nextBytes(key);
                byte[] callId = ascii(random, 1 + random.nextInt(80));
                byte[] tag = ascii(random, random.nextInt(20));
                byte[] dest = ascii(random, 1 + random.nextInt(30));
                RouteTokenSigner signer = new RouteTokenSigner(key);
                StringBuilder sb = new StringBuilder();
                signer.sign(view(callId), view(tag), dest, 0, dest.length, sb);

                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                m.write(callId);
                m.write(0);
                m.write(tag);
                m.write(0);
                m.write(dest);
                assertArrayEquals(mac.doFinal(m.toByteArray()), signer.lastMac(), "key length " + keyLength);

                byte[] token = sb.toString().getBytes(StandardCharsets.US_ASCII);
                assertTrue(signer.verify(view(callId), view(tag), dest, 0, dest.length, token, 0, token.length));
                token[3] ^= 1;
                assertFalse(signer.verify(view(callId), view(tag), dest, 0, dest.length, token, 0, token.length));
            }
        }
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
