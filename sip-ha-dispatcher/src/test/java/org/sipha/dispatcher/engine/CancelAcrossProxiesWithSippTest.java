package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.testsupport.SippProcess;

/**
 * A CANCEL through another proxy than its INVITE, over real sockets: proxies A (15460) and B (15461) share the
 * Record-Route key and the set {PBX 15464 (SIPp, preferred), PBX 15466 (a socket that knows no call and answers
 * CANCELs 481)}. The SIPp caller (15462) sends its INVITE to A and its CANCEL to B; it must get 200 for the CANCEL
 * (from B) and 487 for the INVITE (through A), and the ringing PBX must see the CANCEL.
 */
class CancelAcrossProxiesWithSippTest {
    private static final String KEY = "deployment key shared by both proxies";
    private final SipProxyServer[] proxies = new SipProxyServer[2];

    @BeforeEach
    void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() {
        for (SipProxyServer p : proxies) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static SipProxyServer proxy(int port, boolean cancelAcrossProxies) {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1)
                .algorithm(Algorithm.PRIORITY_GROUPS)
                .add(Destination.builder("sip:127.0.0.1:15464")
                        .id("ringing")
                        .priority(10)
                        .build())
                .add(Destination.builder("sip:127.0.0.1:15466")
                        .id("unaware")
                        .priority(0)
                        .build());
        RoutingTableOwner owner = new RoutingTableOwner(
                DispatcherConfig.builder().set(set.build()).build());
        return SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", port))
                .selector(new DispatcherNextHopSelector(owner, 1))
                .recordRouteSecret(KEY)
                .cancelAcrossProxies(cancelAcrossProxies)
                .eventLoops(2)
                .build());
    }

    /** Answers every request the unaware PBX gets with 481, on its own thread, until the socket closes. */
    private static Thread answer481(RawSipSocket pbx, AtomicInteger cancels) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    String m = pbx.receive(10_000);
                    if (m == null) {
                        return;
                    }
                    if (m.startsWith("CANCEL ")) {
                        cancels.incrementAndGet();
                    }
                    pbx.send(
                            PipelineHarness.answer(m, "481 Call/Transaction Does Not Exist")
                                    .replace("\r\n", "\n"),
                            new InetSocketAddress("127.0.0.1", 15461));
                }
            } catch (IOException e) {
                // closed by the test
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static SippProcess caller(int calls) throws IOException {
        return SippProcess.uac("uac_cancel_via_other_proxy.xml", "127.0.0.1:15460", 15462, 15463, 15470)
                .calls(calls)
                .rate(5)
                .callLimit(5)
                .args("-key", "cancel_port", "15461", "-key", "invite_port", "15460")
                .start();
    }

    @Test
    void theCallerGets200ForACancelThroughTheOtherProxyAnd487ForItsInvite() throws Exception {
        proxies[0] = proxy(15460, true);
        proxies[1] = proxy(15461, true);
        AtomicInteger unawareCancels = new AtomicInteger();
        try (RawSipSocket unaware = RawSipSocket.bind(15466);
                SippProcess pbx = SippProcess.uas("uas_cancel_pause.xml", 15464, 15465, 15474)
                        .calls(3)
                        .start()) {
            answer481(unaware, unawareCancels);
            Thread.sleep(300);
            try (SippProcess uac = caller(3)) {
                assertEquals(0, uac.await(30_000), "caller; SIPp said:\n" + uac.output());
            }
            assertEquals(0, pbx.await(10_000), "ringing PBX; SIPp said:\n" + pbx.output());
        }
        assertEquals(3, unawareCancels.get(), "B asks every PBX of its set");
        assertEquals(0, proxies[1].forgedResponsesDropped());
        assertEquals(0, proxies[0].forgedResponsesDropped());
    }

    @Test
    void withoutItTheOtherProxyAnswers481AndThePbxKeepsRinging() throws Exception {
        proxies[0] = proxy(15460, true);
        proxies[1] = proxy(15461, false);
        try (SippProcess pbx = SippProcess.uas("uas_cancel_pause.xml", 15464, 15465, 15474)
                .calls(1)
                .start()) {
            Thread.sleep(300);
            try (SippProcess uac = SippProcess.uac(
                            "uac_cancel_via_other_proxy.xml", "127.0.0.1:15460", 15462, 15463, 15470)
                    .recvTimeoutMs(2_000)
                    .args("-key", "cancel_port", "15461", "-key", "invite_port", "15460")
                    .start()) {
                assertTrue(uac.await(30_000) != 0, "the caller must not get 200: " + uac.output());
            }
            assertTrue(!pbx.waitFor(500), "the PBX never saw a CANCEL");
        }
    }
}
