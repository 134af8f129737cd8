package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;

/** Keys published to a ring while signers run: they sign with the new key at once and keep accepting the old one. */
class RecordRouteKeyRotationTest {
    private static final RecordRouteKeys ONE = RecordRouteKeys.fromSecrets("first key of the deployment", null);
    private static final RecordRouteKeys TWO_AFTER_ONE =
            RecordRouteKeys.fromSecrets("second key of the deployment", "first key of the deployment");
    private static final RecordRouteKeys THREE_AFTER_TWO =
            RecordRouteKeys.fromSecrets("third key of the deployment", "second key of the deployment");

    @Test
    void aTokenSignedBeforeARotationVerifiesAfterItUntilItsKeyIsDropped() {
        RecordRouteKeyRing ring = new RecordRouteKeyRing(ONE);
        RouteTokenSigner signer = new RouteTokenSigner(ring);
        String before = token(signer);

        ring.publish(TWO_AFTER_ONE);
        assertTrue(verifies(signer, before), "signed with the key that is now the previous one");
        String after = token(signer);
        assertNotEquals(keyId(before), keyId(after), "signed with the new key");
        assertEquals(TWO_AFTER_ONE.currentKeyId(), keyId(after));
        assertTrue(verifies(signer, after));

        ring.publish(THREE_AFTER_TWO);
        assertFalse(verifies(signer, before), "its key is neither current nor previous any more");
        assertTrue(verifies(signer, after));
    }

    @Test
    void aBranchSignedBeforeARotationVerifiesAfterIt() throws Exception {
        RecordRouteKeyRing ring = new RecordRouteKeyRing(ONE);
        BranchSigner signer = new BranchSigner(ring);
        InetAddress target = InetAddress.getByName("192.0.2.7");
        StringBuilder sb = new StringBuilder();
        signer.appendStateless(sb, view("call-1"), 1, view("BYE"), view("z9hG4bK-up"), target, 5060, false);
        byte[] mac = sb.toString().getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress to = new InetSocketAddress(target, 5060);

        ring.publish(TWO_AFTER_ONE);
        assertTrue(signer.verifiesStateless(
                mac, 0, mac.length, view("call-1"), 1, view("BYE"), view("z9hG4bK-up"), to, false));
        ring.publish(THREE_AFTER_TWO);
        assertFalse(signer.verifiesStateless(
                mac, 0, mac.length, view("call-1"), 1, view("BYE"), view("z9hG4bK-up"), to, false));
    }

    @Test
    void keysShorterThanSixteenBytesAreRefusedAndNeverShown() {
        assertThrows(IllegalArgumentException.class, () -> RecordRouteKeys.of(new byte[15], null));
        assertThrows(IllegalArgumentException.class, () -> RecordRouteKeys.of(new byte[16], new byte[3]));
        String shown = TWO_AFTER_ONE.toString();
        assertTrue(shown.contains(TWO_AFTER_ONE.currentKeyId()) && shown.contains(TWO_AFTER_ONE.previousKeyId()));
        assertEquals(TWO_AFTER_ONE, RecordRouteKeys.of(TWO_AFTER_ONE.current(), TWO_AFTER_ONE.previous()));
    }

    private static String token(RouteTokenSigner signer) {
        StringBuilder sb = new StringBuilder("shd=127.0.0.1~5081");
        int destEnd = sb.length();
        sb.append(";shu=192.0.2.1~5060");
        signer.appendSignature(view("call-1"), view("tagA"), sb, 4, destEnd, destEnd + 5, sb.length());
        return sb.toString();
    }

    private static String keyId(String token) {
        int k = token.indexOf(";shk=") + 5;
        return token.substring(k, k + 4);
    }

    private static boolean verifies(RouteTokenSigner signer, String token) {
        byte[] b = token.getBytes(StandardCharsets.US_ASCII);
        int d = token.indexOf("shd=") + 4;
        int u = token.indexOf(";shu=") + 5;
        int k = token.indexOf(";shk=") + 5;
        int m = token.indexOf(";shm=") + 5;
        return signer.verify(
                view("call-1"), view("tagA"), null, b, d, u - 5 - d, u, k - 5 - u, k, m - 5 - k, m, b.length - m);
    }

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }
}
