package org.sipha.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.health.DestinationHealthView;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * {@link EmbeddedProxy#start} with real SIPp backends and caller on 127.0.0.1 (ports 15180-15199): calls complete
 * through it on both backends, health checking probes them and takes a killed one out of the routing table; and
 * README.md's Embedding section shows exactly that method's body.
 */
class EmbeddedProxyTest {
    static final String PROXY = "127.0.0.1:15199";
    static final List<Destination> BACKENDS =
            List.of(Destination.of("pbx-a", "sip:127.0.0.1:15181"), Destination.of("pbx-b", "sip:127.0.0.1:15182"));
    static final String SECRET = "embedding test: shared by all proxies";
    private static final Path JAVA = Paths.get("src/main/java/org/sipha/examples/EmbeddedProxy.java");
    private static final Path README = Paths.get("../README.md");

    private final SippProcesses sipp = new SippProcesses();

    @AfterEach
    void stopSipp() throws InterruptedException {
        sipp.close();
    }

    @Test
    void callsCompleteOnBothBackendsAndAKilledBackendLeavesTheRoutingTable() throws Exception {
        SippProcess.requireSipp();
        sipp.start(SippProcess.uas("uas_answer.xml", 15181, 15196, 15187).answerOptions());
        SippProcess b = sipp.start(
                SippProcess.uas("uas_answer.xml", 15182, 15197, 15191).answerOptions());
        try (EmbeddedProxy proxy = EmbeddedProxy.start(listen(), BACKENDS, SECRET, null)) {
            assertEquals(
                    0,
                    SippProcess.uac("uac_call.xml", PROXY, 15180, 15195, 15183)
                            .calls(4)
                            .rate(4)
                            .run(60_000),
                    "UAC failed; see " + SippProcess.DEFAULT_WORK_DIR);
            // round robin gave both backends calls, the engine reported their answers, OPTIONS got replies
            await(
                    () -> answered(proxy, "pbx-a") && answered(proxy, "pbx-b"),
                    "both backends' answers and probes " + "in the health snapshot: "
                            + proxy.health().snapshot().destinations());

            b.sigkill();
            await(
                    () -> proxy.routingTable().state("pbx-b") == DestinationState.INACTIVE,
                    "pbx-b INACTIVE in the routing table, it is "
                            + proxy.routingTable().state("pbx-b"));
            assertEquals(DestinationState.ACTIVE, proxy.routingTable().state("pbx-a"));
            assertEquals(
                    0,
                    SippProcess.uac("uac_call.xml", PROXY, 15180, 15195, 15183)
                            .calls(4)
                            .rate(4)
                            .run(60_000),
                    "UAC failed with one backend down; see " + SippProcess.DEFAULT_WORK_DIR);
        }
    }

    @Test
    void readmeEmbeddingSectionIsTheBodyOfEmbeddedProxyStart() throws IOException {
        List<String> method =
                between(Files.readAllLines(JAVA, StandardCharsets.UTF_8), "// embedding:start", "// embedding:end");
        List<String> section = between(
                Files.readAllLines(README, StandardCharsets.UTF_8),
                "<!-- embedding:start -->",
                "<!-- embedding:end -->");
        assertTrue(
                section.size() >= 2
                        && section.get(0).equals("```java")
                        && section.get(section.size() - 1).equals("```"),
                "README's embedding section is one ```java block");
        assertEquals(String.join("\n", dedent(method)), String.join("\n", section.subList(1, section.size() - 1)));
    }

    static InetSocketAddress listen() {
        return new InetSocketAddress("127.0.0.1", 15199);
    }

    private static boolean answered(EmbeddedProxy proxy, String id) {
        DestinationHealthView v = proxy.health().snapshot().destination(id);
        return v != null && v.trafficLatency().count() > 0 && v.probeLatency().count() > 0;
    }

    /** The lines strictly between the (trimmed) marker lines, which must each appear once. */
    private static List<String> between(List<String> lines, String start, String end) {
        int from = -1;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.equals(start)) {
                assertEquals(-1, from, "two " + start);
                from = i;
            } else if (t.equals(end)) {
                assertEquals(-1, to, "two " + end);
                to = i;
            }
        }
        assertTrue(from >= 0 && to > from, start + " ... " + end + " not found in order");
        return lines.subList(from + 1, to);
    }

    /** Removes the indentation the lines have in common. */
    private static List<String> dedent(List<String> lines) {
        int common = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                common = Math.min(common, l.length() - l.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.isBlank() ? "" : l.substring(common));
        }
        return out;
    }

    /** Bounded wait for another process's or thread's work (not a timing assertion). */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " (waited 60 s)");
            }
            Thread.sleep(50);
        }
    }
}
