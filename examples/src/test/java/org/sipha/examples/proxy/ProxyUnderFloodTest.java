package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;
import org.sipha.testsupport.SippStats;

/**
 * The reference proxy, in a process of its own, under a flood from 127.0.0.2 (one of the carriers its access list
 * admits, gone rogue): 50,000 junk datagrams and 5,000 INVITEs a second (each a new call) for 10 s, while SIPp on
 * 127.0.0.1 places 50 calls a second through it to two SIPp backends. The operator set per-source rates well above
 * the carrier's traffic (100 new calls and 500 requests a second per source and event loop, over-rate requests
 * dropped). Every one of SIPp's calls succeeds, and the proxy's resident memory after the flood is within 64 MB of
 * what it was before. Its heap is fixed and touched at start ({@code -Xms} = {@code -Xmx},
 * {@code -XX:+AlwaysPreTouch}), so the resident figure moves only with what lives outside the heap (pooled direct
 * buffers, threads, code); a heap that filled up would end the process ({@code -XX:+ExitOnOutOfMemoryError}) and
 * fail the calls. Ports 127.0.0.1:15560-15579.
 */
class ProxyUnderFloodTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15560);
    private static final int FLOOD_SECONDS = 10;
    private static final int INVITES_PER_MS = 5;
    private static final int JUNK_PER_MS = 5;
    private static final int CALLS_PER_SECOND = 50;
    /** Calls before the flood (to warm the proxy up before the first reading), during it, and after. */
    private static final int CALLS = CALLS_PER_SECOND * (3 + FLOOD_SECONDS + 3);

    private static final long MAX_GROWTH_KB = 64 * 1024;

    private final SippProcesses sipp = new SippProcesses();
    private ReferenceProxyProcess proxy;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        sipp.close();
    }

    @Test
    void legitimateCallsSucceedAndMemoryStaysFlatUnderAFloodFromOneSource() throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15561, 15562, 15563).answerOptions());
        sipp.start(SippProcess.uas("uas_answer.xml", 15566, 15567, 15568).answerOptions());
        proxy = ReferenceProxyProcess.start(
                List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch", "-XX:+ExitOnOutOfMemoryError"),
                List.of(
                        "--listen", "udp:127.0.0.1:15560",
                        "--backend", "sip:127.0.0.1:15561",
                        "--backend", "sip:127.0.0.1:15566",
                        "--allow", "127.0.0.1/32",
                        "--allow", "127.0.0.2/32",
                        "--new-calls-per-source", "100",
                        "--requests-per-source", "500",
                        "--rate-limit-reply", "drop",
                        "--event-loops", "2",
                        "--warmup-calls", "0"),
                Path.of("target", "flood", "proxy.log"));
        proxy.awaitAnswering(PROXY, 30_000);

        SippProcess uac = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15560", 15571, 15572, 15573)
                .calls(CALLS)
                .rate(CALLS_PER_SECOND)
                .globalTimeoutS(0));
        Thread.sleep(3_000);
        long beforeKb = proxy.residentKb();
        long[] sent = flood();
        Thread.sleep(2_000);
        long afterKb = proxy.residentKb();

        int exit = uac.await(60_000);
        SippStats stats = uac.stats();
        System.out.printf(
                "flood from 127.0.0.2: %d INVITEs, %d junk datagrams in %d s; SIPp calls: %s; proxy RSS %d MB before,"
                        + " %d MB after%n",
                sent[0], sent[1], FLOOD_SECONDS, stats, beforeKb / 1024, afterKb / 1024);
        assertTrue(proxy.isAlive(), "the proxy died: " + proxy.tail());
        assertEquals(0, exit, "SIPp's calls did not all succeed: " + stats + "\n" + uac.output());
        assertEquals(CALLS, stats.successfulCalls(), "successful calls: " + stats);
        assertEquals(0, stats.failedCalls(), "failed calls: " + stats);
        assertTrue(
                afterKb - beforeKb <= MAX_GROWTH_KB,
                "proxy RSS grew from " + beforeKb + " kB to " + afterKb + " kB under the flood");
    }

    /**
     * Sends {@link #INVITES_PER_MS} INVITEs (each a new Call-ID) and {@link #JUNK_PER_MS} junk datagrams every
     * millisecond for {@link #FLOOD_SECONDS}, from 127.0.0.2; a late millisecond is made up at once. Returns the
     * counts sent.
     */
    private static long[] flood() throws IOException {
        Random random = new Random(20260517);
        byte[][] junk = junk(random, 1000);
        long invites = 0;
        long junkSent = 0;
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.2", 0));
            long start = System.nanoTime();
            long msTotal = TimeUnit.SECONDS.toMillis(FLOOD_SECONDS);
            for (long ms = 0; ms < msTotal; ms++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(ms);
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                for (int i = 0; i < INVITES_PER_MS; i++) {
                    ch.send(ByteBuffer.wrap(invite(invites++)), PROXY);
                }
                for (int i = 0; i < JUNK_PER_MS; i++) {
                    ch.send(ByteBuffer.wrap(junk[(int) (junkSent++ % junk.length)]), PROXY);
                }
            }
        }
        return new long[] {invites, junkSent};
    }

    private static byte[] invite(long n) {
        return ("INVITE sip:flood@127.0.0.1:15560 SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-flood" + n + ";rport\r\n"
                        + "From: <sip:flood@127.0.0.2>;tag=f" + n + "\r\n"
                        + "To: <sip:flood@127.0.0.1:15560>\r\n"
                        + "Call-ID: flood-" + n + "@127.0.0.2\r\n"
                        + "CSeq: 1 INVITE\r\nContact: <sip:flood@127.0.0.2:5060>\r\nMax-Forwards: 70\r\n"
                        + "Content-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Junk a scanner sends: random bytes; a request with a byte changed at random; a response whose branch looks
     * like ours; an OPTIONS padded to 3.5 kB with a malformed To. Sizes up to 3.5 kB.
     */
    private static byte[][] junk(Random random, int n) {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = switch (i % 4) {
                case 0 -> {
                    byte[] b = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(b);
                    yield b;
                }
                case 1 -> {
                    byte[] b = invite(1_000_000 + i);
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    yield b;
                }
                case 2 ->
                    ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:15560;branch=z9hG4bKshS0." + i
                                    + ".1.0.deadbeef\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-x\r\n"
                                    + "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: junk-" + i
                                    + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                default ->
                    ("OPTIONS sip:127.0.0.1:15560 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-o"
                                    + i + "\r\nFrom: <sip:a@127.0.0.2>;tag=1\r\nTo: <sip:a@b\r\nCall-ID: junk-o" + i
                                    + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nX-Pad: " + "x".repeat(3_300)
                                    + "\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
            };
        }
        return out;
    }
}
