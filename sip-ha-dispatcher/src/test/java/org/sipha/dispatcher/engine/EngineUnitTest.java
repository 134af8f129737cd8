package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;
import org.sipha.core.model.Destination;

/** Narrow unit tests of the engine's building blocks (no sockets). */
class EngineUnitTest {
    private static final List<Destination> THREE = List.of(
            Destination.of("a", "sip:127.0.0.1:1"),
            Destination.of("b", "sip:127.0.0.1:2"),
            Destination.of("c", "sip:127.0.0.1:3"));

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }

    /** The selector {@link ProxyConfig.Builder#destinations} builds: one round-robin set of its own. */
    private static DispatcherNextHopSelector roundRobinOverThree() {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(THREE)
                .recordRouteSecret("engine unit test secret")
                .build()
                .selector();
    }

    @Test
    void aCursorNeverRepeatsADestinationAndEndsWithNull() {
        DispatcherNextHopSelector.Cursor c = roundRobinOverThree().newCursor();
        for (int call = 0; call < 5; call++) {
            c.reset(call);
            Set<NextHop> seen = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                assertTrue(seen.add(c.next()), "repeated a destination");
                c.release();
            }
            assertNull(c.next());
            assertNull(c.next());
        }
    }

    @Test
    void theDestinationsShorthandStartsSuccessiveRequestsAtSuccessiveDestinations() {
        DispatcherNextHopSelector s = roundRobinOverThree();
        DispatcherNextHopSelector.Cursor a = s.newCursor();
        DispatcherNextHopSelector.Cursor b = s.newCursor();
        int[] firsts = new int[4];
        for (int i = 0; i < 300; i++) {
            DispatcherNextHopSelector.Cursor c = i % 2 == 0 ? a : b;
            c.reset(i);
            firsts[c.next().address().getPort()]++;
            c.release();
        }
        assertEquals(100, firsts[1]);
        assertEquals(100, firsts[2]);
        assertEquals(100, firsts[3]);
    }

    @Test
    void accessListMatchesPrefixes() throws Exception {
        SourceAccessList l = SourceAccessList.of(List.of("192.0.2.0/24", "10.1.0.0/16", "2001:db8::/32"));
        assertTrue(l.allows(InetAddress.getByName("192.0.2.77")));
        assertFalse(l.allows(InetAddress.getByName("192.0.3.1")));
        assertTrue(l.allows(InetAddress.getByName("10.1.255.1")));
        assertFalse(l.allows(InetAddress.getByName("10.2.0.1")));
        assertTrue(l.allows(InetAddress.getByName("2001:db8::1")));
        assertFalse(l.allows(InetAddress.getByName("2001:db9::1")));
        assertTrue(SourceAccessList.allowAll().allows(InetAddress.getByName("203.0.113.5")));
        assertThrows(IllegalArgumentException.class, () -> SourceAccessList.of(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> SourceAccessList.of(List.of("carrier.example.com")));
    }

    @Test
    void nextHopsAreIpLiteralsOverUdpOrTcp() {
        NextHop d = NextHop.of(Destination.of("a", "sip:127.0.0.1:5081"));
        assertEquals(new InetSocketAddress("127.0.0.1", 5081), d.address());
        assertEquals("127.0.0.1~5081", d.tokenText());
        assertFalse(d.isTcp());
        assertEquals(
                5060, NextHop.of(Destination.of("b", "sip:10.0.0.1")).address().getPort());
        NextHop tcp = NextHop.of(Destination.of("c", "sip:10.0.0.1:5070;transport=TCP"));
        assertTrue(tcp.isTcp());
        assertEquals("10.0.0.1~5070~tcp", tcp.tokenText());
        assertEquals(
                "[::1]~5090", NextHop.of(Destination.of("d", "sip:[::1]:5090")).tokenText());
        assertEquals(d, NextHop.of(Destination.of("other id, same address", "sip:127.0.0.1:5081")));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.requireForwardable(Destination.of("e", "sip:pbx.example.com")));
        assertTrue(e.getMessage().contains("not an IP literal"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.requireForwardable(Destination.of("f", "sips:127.0.0.1:5061")));
        assertTrue(e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void callTableExpiresInDeadlineOrderAndReusesSlotsWithANewGeneration() {
        CallTable t = new CallTable(2, roundRobinOverThree(), 1L << 20, 2);
        CallState a = t.allocate(1L, 100, 12);
        CallState b = t.allocate(1L, 100, 12);
        assertNull(t.allocate(1L, 100, 12), "bounded");
        assertEquals(Refusal.CALLS_PER_LOOP, t.refusal());
        t.index(a, t.keyHash(view("c-a"), view("z9hG4bK-a")), view("c-a"), view("z9hG4bK-a"));
        t.index(b, t.keyHash(view("c-b"), view("z9hG4bK-b")), view("c-b"), view("z9hG4bK-b"));
        assertSame(a, t.find(view("c-a"), view("z9hG4bK-a")));
        assertNull(t.find(view("c-a"), view("z9hG4bK-b")));
        t.schedule(a, CallTable.CALLING_LIST, 100);
        t.schedule(b, CallTable.CALLING_LIST, 200);
        assertNull(t.expired(CallTable.CALLING_LIST, 99));
        assertSame(a, t.expired(CallTable.CALLING_LIST, 100));
        t.schedule(a, CallTable.LINGER_LIST, 500); // moved: b is now the head
        assertSame(b, t.expired(CallTable.CALLING_LIST, 250));
        assertEquals(1, t.inFlight());
        int genA = a.generation;
        t.free(a);
        assertNull(t.find(view("c-a"), view("z9hG4bK-a")));
        assertNull(t.get(a.slot, genA));
        CallState again = t.allocate(1L, 100, 12);
        assertNotNull(again);
        assertSame(a, again);
        assertEquals(genA + 1, again.generation);
        assertNull(t.get(a.slot, genA), "a stale branch must not find the reused slot");
    }

    @Test
    void configRejectsBadValuesNamingTheOption() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(THREE)
                        .build());
        assertTrue(e.getMessage().startsWith("record-route-secret"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(THREE)
                        .recordRouteSecret("x")
                        .failoverCodes(Set.of(200))
                        .build());
        assertTrue(e.getMessage().startsWith("failover-codes"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(THREE)
                        .recordRouteSecret("x")
                        .recordRoutePreviousKey(new byte[8])
                        .build());
        assertTrue(e.getMessage().startsWith("record-route-previous-secret"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.builder().destinations(List.of(Destination.of("a", "sip:pbx.example.com"))));
        assertTrue(e.getMessage().startsWith("backend"), e.getMessage());
    }
}
