package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.options;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingTableOwner;

/** An OPTIONS naming the proxy itself is answered by the proxy, not forwarded to a PBX. */
class LocalOptionsTest {
    private static final InetSocketAddress PROBE = source("192.0.2.50", 5099);
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    private String only(InetSocketAddress to) {
        List<String> s = h.sentTo(to);
        assertEquals(1, s.size(), s.toString());
        return s.get(0);
    }

    @Test
    void answers200ToAnOptionsForTheListeningAddress() {
        h.start(h.config());
        h.receive(options("sip:127.0.0.1:5060", "ping-1", PROBE), PROBE);
        String answer = only(PROBE);
        assertTrue(answer.startsWith("SIP/2.0 200 OK\r\n"), answer);
        assertTrue(answer.contains("Call-ID: ping-1"), answer);
        assertTrue(h.sentTo(PBX).isEmpty(), "not forwarded: " + h.sentTo(PBX));
    }

    @Test
    void answersForTheAdvertisedAddressAndItsDefaultPort() {
        h.start(h.config().advertised("192.0.2.10", 5060));
        h.receive(options("sip:192.0.2.10", "ping-2", PROBE), PROBE);
        assertTrue(only(PROBE).startsWith("SIP/2.0 200 OK"), only(PROBE));
        assertTrue(h.sentTo(PBX).isEmpty());
    }

    @Test
    void anOptionsWithAUserPartOrForAnotherHostIsForwardedAsBefore() {
        h.start(h.config());
        h.receive(options("sip:service@127.0.0.1:5060", "fwd-1", PROBE), PROBE);
        h.receive(options("sip:127.0.0.1:5070", "fwd-2", PROBE), PROBE);
        assertEquals(2, h.countTo(PBX, "OPTIONS "));
        assertTrue(h.sentTo(PROBE).isEmpty(), h.sentTo(PROBE).toString());
    }

    @Test
    void answers503WithRetryAfterAndAWarningWhenNoDestinationIsUsable() {
        RoutingTableOwner owner = TwoPbxTable.create();
        h.start(h.config().selector(new DispatcherNextHopSelector(owner, 1)).retryAfterSeconds(8));
        owner.setHealthState("a", DestinationState.INACTIVE);
        owner.setHealthState("b", DestinationState.INACTIVE);
        h.receive(options("sip:127.0.0.1:5060", "ping-3", PROBE), PROBE);
        String answer = only(PROBE);
        assertTrue(answer.startsWith("SIP/2.0 503 Service Unavailable\r\n"), answer);
        assertTrue(answer.contains("Retry-After: 8\r\n"), answer);
        assertTrue(answer.contains("Warning: 399 127.0.0.1:5060 \"no usable destination\"\r\n"), answer);
    }

    @Test
    void theAccessListAndTheRateLimitApplyFirst() {
        h.start(h.config()
                .accessList(SourceAccessList.of(List.of("192.0.2.0/24")))
                .requestsPerSecondPerSource(1)
                .requestBurstPerSource(1));
        InetSocketAddress outsider = source("203.0.113.9", 5099);
        h.receive(options("sip:127.0.0.1:5060", "ping-4", outsider), outsider);
        assertTrue(h.sentTo(outsider).isEmpty(), "outside the access list: no answer");
        h.receive(options("sip:127.0.0.1:5060", "ping-5", PROBE), PROBE);
        h.receive(options("sip:127.0.0.1:5060", "ping-6", PROBE), PROBE);
        assertEquals(1, h.sentTo(PROBE).size(), "over the rate: no answer " + h.sentTo(PROBE));
        assertEquals(1, h.pipeline.refusals(Refusal.ACCESS_LIST));
        assertEquals(1, h.pipeline.refusals(Refusal.REQUEST_RATE));
    }
}
