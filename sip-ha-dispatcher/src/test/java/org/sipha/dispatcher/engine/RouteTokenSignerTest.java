package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;

/** The Record-Route token: what it binds, and which keys it verifies under. */
class RouteTokenSignerTest {
    private static final byte[] K1 = RouteTokenSigner.keyFromSecret("first key of the deployment");
    private static final byte[] K2 = RouteTokenSigner.keyFromSecret("second key of the deployment");
    private static final byte[] K3 = RouteTokenSigner.keyFromSecret("third key of the deployment");

    /** The token parameters {@code shd=..;shu=..;shk=..;shm=..} as signed by {@code signer}. */
    private static String token(RouteTokenSigner signer, String callId, String tag, String dest, String upstream) {
        StringBuilder sb = new StringBuilder("shd=").append(dest);
        int destEnd = sb.length();
        sb.append(";shu=").append(upstream);
        signer.appendSignature(view(callId), view(tag), sb, 4, destEnd, destEnd + 5, sb.length());
        return sb.toString();
    }

    /** Verifies {@code token} (as {@link #token} writes it) for (Call-ID, From tag, To tag). */
    private static boolean verifies(
            RouteTokenSigner signer, String token, String callId, String fromTag, String toTag) {
        byte[] b = token.getBytes(StandardCharsets.US_ASCII);
        int d = token.indexOf("shd=") + 4;
        int u = token.indexOf(";shu=") + 5;
        int k = token.indexOf(";shk=") + 5;
        int m = token.indexOf(";shm=") + 5;
        return signer.verify(
                view(callId),
                view(fromTag),
                toTag == null ? null : view(toTag),
                b,
                d,
                u - 5 - d,
                u,
                k - 5 - u,
                k,
                m - 5 - k,
                m,
                b.length - m);
    }

    @Test
    void aTokenVerifiesOnlyForItsDialogDestinationAndUpstream() {
        RouteTokenSigner s = new RouteTokenSigner(K1, null);
        String t = token(s, "call-1", "tagA", "127.0.0.1~5081", "192.0.2.1~5060");
        assertTrue(verifies(s, t, "call-1", "tagA", "tagB"), "from the caller: its From tag");
        assertTrue(verifies(s, t, "call-1", "tagB", "tagA"), "from the callee: its To tag");
        assertFalse(verifies(s, t, "call-2", "tagA", "tagB"));
        assertFalse(verifies(s, t, "call-1", "tagC", "tagB"));
        assertFalse(verifies(s, t, "call-1", "tagC", null));
        assertFalse(verifies(s, t.replace("~5081", "~5082"), "call-1", "tagA", null));
        assertFalse(verifies(s, t.replace("192.0.2.1~5060", "192.0.2.9~5060"), "call-1", "tagA", null));
        assertFalse(verifies(s, t.substring(0, t.length() - 1), "call-1", "tagA", null), "a truncated MAC");
    }

    @Test
    void aTokenOfThePreviousKeyVerifiesAndOneOfAnUnknownKeyDoesNot() {
        String t = token(new RouteTokenSigner(K1, null), "call-1", "tagA", "127.0.0.1~5081", "192.0.2.1~5060");
        assertTrue(verifies(new RouteTokenSigner(K2, K1), t, "call-1", "tagA", null), "the previous key");
        assertFalse(verifies(new RouteTokenSigner(K3, K2), t, "call-1", "tagA", null), "a key no longer accepted");
        assertFalse(verifies(new RouteTokenSigner(K2, null), t, "call-1", "tagA", null), "another key");
        String other = new HmacSha256(K2).keyId();
        assertFalse(
                verifies(
                        new RouteTokenSigner(K2, K1),
                        t.replaceAll("shk=[0-9a-f]{4}", "shk=" + other),
                        "call-1",
                        "tagA",
                        null),
                "a token claiming another key");
    }

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }
}
