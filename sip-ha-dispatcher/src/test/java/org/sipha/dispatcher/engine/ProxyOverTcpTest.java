package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sipha.dispatcher.engine.ProxyWithSippTest.uac;
import static org.sipha.dispatcher.engine.ProxyWithSippTest.uas;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.testsupport.SippProcess;

/** The main flows over TCP: SIPp ({@code -t t1}) on both sides, the proxy listening on tcp:127.0.0.1:15060. */
class ProxyOverTcpTest {
    private static final String TARGET = "127.0.0.1:15060";
    private final Queue<String> outcomes = new ConcurrentLinkedQueue<>();
    private SipProxyServer proxy;

    @BeforeEach
    void startProxy() {
        SippProcess.requireSipp();
        proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenTcp(new InetSocketAddress("127.0.0.1", 15060))
                .destinations(List.of(
                        Destination.of("pbx15081", "sip:127.0.0.1:15081;transport=tcp"),
                        Destination.of("pbx15082", "sip:127.0.0.1:15082;transport=tcp")))
                .recordRouteSecret("tcp test secret")
                .eventLoops(2)
                .outcomeListener(new ForwardingOutcomeListener() {
                    @Override
                    public void onResponse(InetSocketAddress d, int code, long latencyNs) {
                        outcomes.add(d.getPort() + ":" + code);
                    }

                    @Override
                    public void onTimeout(InetSocketAddress d, long waitedNs) {
                        outcomes.add(d.getPort() + ":timeout");
                    }
                })
                .build());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private static void assertExit(SippProcess s, long timeoutMs, String what) throws InterruptedException {
        assertEquals(0, s.await(timeoutMs), what + " exit code; SIPp said:\n" + s.output());
    }

    @Test
    void basicCallsOverTcpWithAckAndByeAlongTheRouteSet() throws Exception {
        try (SippProcess a = uas("uas_answer.xml", 15081, 5, true);
                SippProcess b = uas("uas_answer.xml", 15082, 5, true)) {
            Thread.sleep(300);
            try (SippProcess uac = uac("uac_call.xml", TARGET, 10, 10, true)) {
                assertExit(uac, 40_000, "UAC");
            }
            assertExit(a, 15_000, "UAS 15081");
            assertExit(b, 15_000, "UAS 15082");
        }
    }

    @Test
    void failsOverOnA503OverTcp() throws Exception {
        try (SippProcess a = uas("uas_503.xml", 15081, 2, true);
                SippProcess b = uas("uas_answer.xml", 15082, 4, true)) {
            Thread.sleep(300);
            try (SippProcess uac = uac("uac_call.xml", TARGET, 4, 4, true)) {
                assertExit(uac, 40_000, "UAC");
            }
            assertExit(a, 10_000, "UAS 15081");
            assertExit(b, 15_000, "UAS 15082");
        }
        assertEquals(2, outcomes.stream().filter("15081:503"::equals).count(), outcomes.toString());
    }

    @Test
    void callerCancelOverTcp() throws Exception {
        try (SippProcess a = uas("uas_cancel.xml", 15081, 1, true);
                SippProcess b = uas("uas_cancel.xml", 15082, 1, true)) {
            Thread.sleep(300);
            try (SippProcess uac = uac("uac_cancel.xml", TARGET, 2, 5, true)) {
                assertExit(uac, 30_000, "UAC");
            }
            assertExit(a, 10_000, "UAS 15081");
            assertExit(b, 10_000, "UAS 15082");
        }
    }
}
