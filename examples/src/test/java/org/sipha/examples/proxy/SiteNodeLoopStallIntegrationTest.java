package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isPresent;
import static org.sipha.examples.proxy.SiteNodeFixture.PREFIX;
import static org.sipha.examples.proxy.SiteNodeFixture.WAIT_MS;
import static org.sipha.examples.proxy.SiteNodeFixture.report;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;

/**
 * A stuck event loop takes the site out of anycast: the site node runs in this JVM (the reference proxy's
 * {@link SiteNode} on real event loops, without health checking), drives an announcing BIRD (127.0.0.11:1801)
 * that peers with a router BIRD (127.0.0.10:1800); the test blocks one event loop with a task that waits, and
 * reads the router's table. Withdrawn within the self-check's timeout plus its fall count of intervals, announced
 * again once the loop runs (rise 3; damping set so that three flaps are not suppressed). The proxy listens on
 * 127.0.0.1:15493 (backend 15494, never contacted). Needs {@code bird}; run under the shared lock.
 */
class SiteNodeLoopStallIntegrationTest {
    @TempDir
    static Path dir;

    @Test
    void aBlockedEventLoopWithdrawsTheSiteAndItsReturnAnnouncesItAgain() throws Exception {
        try (SiteNodeFixture bgp = SiteNodeFixture.start(dir, "127.0.0.10", 1800, "127.0.0.11", 1801)) {
            ProxyOptions o = ProxyOptions.parse(new String[] {
                "--listen",
                "udp:127.0.0.1:15493",
                "--backend",
                "sip:127.0.0.1:15494",
                "--record-route-secret",
                "site node loop stall test secret, 32 bytes",
                "--no-health",
                "--event-loops",
                "2",
                "--anycast",
                PREFIX,
                "--bird-socket",
                bgp.announcer.controlSocket.toString(),
                "--min-backends",
                "0",
                "--damping", // three flaps in a row stay below the suppress limit
                "1000,5000,500,8000,60000"
            });
            ProxyConfig cfg = ReferenceProxy.config(o);
            EngineLoops loops = EngineLoops.start(cfg);
            SipProxyServer server = SipProxyServer.start(cfg, loops);
            SiteNode site = SiteNode.prepare(o);
            try {
                site.startAnnouncer();
                site.start(loops, null, 0, null, false);
                assertTrue(bgp.table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0, "announced");
                for (int run = 1; run <= 3; run++) {
                    CountDownLatch blocked = new CountDownLatch(1);
                    CountDownLatch unblock = new CountDownLatch(1);
                    long t0 = System.nanoTime();
                    loops.execute(run % 2, () -> {
                        blocked.countDown();
                        await(unblock);
                    });
                    assertTrue(blocked.await(5, TimeUnit.SECONDS), "the loop took the blocking task");
                    long gone = bgp.table.awaitNs(isPresent(false), t0, WAIT_MS);
                    assertTrue(gone >= 0, "withdrawn while loop " + run % 2 + " is stuck");
                    report(
                            "event loop blocked -> gone at router (self-check every 100 ms, timeout 500 ms, "
                                    + "fall 2), run " + run,
                            gone);
                    long t1 = System.nanoTime();
                    unblock.countDown();
                    long back = bgp.table.awaitNs(isPresent(true), t1, WAIT_MS);
                    assertTrue(back >= 0, "announced again once the loop runs");
                    report("event loop runs again -> back at router (rise 3), run " + run, back);
                }
            } finally {
                site.close();
                server.close();
            }
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
