package org.sipha.health;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.sipha.core.model.Destination;

/** A monitor with one set of n destinations on 127.0.0.1:5071.., driven by a hand-moved clock. */
final class MonitorFixture {
    final Recorder rec = new Recorder();
    final HealthMonitor monitor;
    final List<Destination> destinations = new ArrayList<>();
    long now = 1_000_000_000L;

    MonitorFixture(final HealthConfig config, final int n) {
        for (int i = 1; i <= n; i++) {
            destinations.add(Destination.of("d" + i, "sip:127.0.0.1:" + (5070 + i)));
        }
        monitor = HealthMonitor.builder(config)
                .addSet("s", destinations, rec)
                .sink(rec)
                .listener(rec)
                .build();
        monitor.doWork(now);
    }

    InetSocketAddress addr(final int i) {
        return new InetSocketAddress("127.0.0.1", 5070 + i);
    }

    DestinationHealth h(final int i) {
        return monitor.destination("d" + i);
    }

    void advanceMs(final long ms) {
        now += ms * 1_000_000L;
        monitor.doWork(now);
    }

    void probeOk(final int i, final long rttNs) {
        monitor.onProbeSuccess(h(i), rttNs, now);
    }

    void probeTimeout(final int i) {
        monitor.onProbeFailure(h(i), HealthCause.PROBE_TIMEOUT, now);
    }

    void response(final int i, final int code) {
        monitor.outcomeListener().onResponse(addr(i), code, 1_000_000L);
        monitor.doWork(now);
    }

    /** The engine's early signal: an INVITE to {@code i} unanswered at its first retransmission (500 ms). */
    void unanswered(final int i) {
        monitor.outcomeListener().onUnanswered(addr(i), 500_000_000L);
        monitor.doWork(now);
    }

    void timeout(final int i) {
        monitor.outcomeListener().onTimeout(addr(i), 2_000_000_000L);
        monitor.doWork(now);
    }
}
