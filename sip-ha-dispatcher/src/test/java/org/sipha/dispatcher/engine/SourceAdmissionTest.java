package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.invite;
import static org.sipha.dispatcher.engine.PipelineHarness.options;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The access list drops initial requests from outside it without an answer, and counts them. */
class SourceAdmissionTest {
    private static final InetSocketAddress OUTSIDER = source("203.0.113.9", 5060);
    private static final InetSocketAddress CARRIER = source("192.0.2.1", 5060);
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    @Test
    void dropsInitialRequestsFromOutsideTheAccessListWithoutAnswering() {
        h.start(h.config().accessList(SourceAccessList.of(List.of("192.0.2.0/24"))));
        h.receive(invite("spoofed-1", OUTSIDER), OUTSIDER);
        h.receive(options("sip:service@127.0.0.1:5060", "spoofed-2", OUTSIDER), OUTSIDER);
        assertTrue(h.sent.isEmpty(), "no answer, nothing forwarded: " + h.sent);
        assertEquals(2, h.pipeline.refusals(Refusal.ACCESS_LIST));

        h.receive(invite("carrier-1", CARRIER), CARRIER);
        assertEquals(1, h.countTo(PBX, "INVITE "));
        assertEquals(1, h.countTo(CARRIER, "SIP/2.0 100 Trying"));
    }
}
