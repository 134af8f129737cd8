package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;
import org.sipha.core.model.Destination;

/** The call index hashes (Call-ID, branch) with a per-process key, so chosen Call-IDs cannot build long chains. */
class CallIndexHashTest {
    private static final int SLOTS = 256;

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }

    private static DispatcherNextHopSelector selector() {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(List.of(Destination.of("a", "sip:127.0.0.1:1")))
                .recordRouteSecret("call index hash test")
                .build()
                .selector();
    }

    /** The index's bucket of (Call-ID, branch) under an unkeyed hash: FNV-1a of each, combined by 31. */
    private static int unkeyedBucket(String callId, String branch, int buckets) {
        int h = view(callId).contentHash() * 31 + view(branch).contentHash();
        return h & (buckets - 1);
    }

    @Test
    void callIdsBuiltToCollideUnderAnUnkeyedHashStillMakeShortChains() {
        CallTable t = new CallTable(SLOTS, selector(), 1L << 30, SLOTS);
        int buckets = t.bucketCount();
        String branch = "z9hG4bK-attack";
        List<String> colliding = new ArrayList<>();
        for (long n = 0; colliding.size() < 200 && n < 10_000_000L; n++) {
            String id = "flood-" + n + "@attacker.example";
            if (unkeyedBucket(id, branch, buckets) == 0) {
                colliding.add(id);
            }
        }
        assertEquals(200, colliding.size());
        for (String id : colliding) {
            CallState s = t.allocate(1L, 500, id.length() + branch.length());
            t.index(s, t.keyHash(view(id), view(branch)), view(id), view(branch));
        }
        int longest = t.longestChain();
        assertTrue(longest <= 8, "200 chosen Call-IDs made a chain of " + longest + " probes");
        for (String id : colliding) {
            CallState s = t.find(view(id), view(branch));
            assertEquals(id.length() + branch.length(), s.keyLength, "each one is found again");
        }
    }

    @Test
    void aKeyOfAnyLengthIsFoundAndItsBytesAreCounted() {
        CallTable t = new CallTable(4, selector(), 1L << 30, 4);
        String longId = "x".repeat(2000);
        CallState s = t.allocate(1L, 100, longId.length() + 3);
        t.index(s, t.keyHash(view(longId), view("z9h")), view(longId), view("z9h"));
        assertSame(s, t.find(view(longId), view("z9h")));
        assertEquals(100 + 2003, t.storedBytes(), "a key beyond the retained size counts as call state");
        t.free(s);
        assertEquals(0, t.storedBytes());
    }

    @Test
    void theHashDependsOnTheKeyNotOnHowTheBytesAreSplit() {
        KeyedHash k = new KeyedHash(1, 2);
        int whole = k.hash(view("call-id-of-some-length@host.example;z9hG4bK-branch"), null);
        for (int split = 0; split <= 50; split++) {
            String s = "call-id-of-some-length@host.example;z9hG4bK-branch";
            assertEquals(whole, k.hash(view(s.substring(0, split)), view(s.substring(split))), "split " + split);
        }
        assertNotEquals(
                whole, new KeyedHash(1, 3).hash(view("call-id-of-some-length@host.example;z9hG4bK-branch"), null));
    }
}
