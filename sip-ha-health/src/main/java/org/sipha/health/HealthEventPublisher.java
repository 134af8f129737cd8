package org.sipha.health;

import java.util.List;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.spi.DestinationsUpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what the monitor decided to the logs, the dispatcher's {@link DestinationHealthSink}, the
 * {@link HealthListener}s and the per-set {@link DestinationsUpListener}. Owner thread only. A throwing receiver
 * is logged and skipped: one bad listener must not stop health checking or starve the others.
 */
final class HealthEventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private final DestinationHealthSink sink;
    private final List<HealthListener> listeners;

    HealthEventPublisher(final DestinationHealthSink sink, final List<HealthListener> listeners) {
        this.sink = sink;
        this.listeners = List.copyOf(listeners);
    }

    void stateChanged(final HealthEvent event, final boolean reportedStateChanged) {
        LOG.info(
                "destination {} {} -> {} (healthy={}, failOpen={}) cause {}",
                event.destinationId(),
                event.previousState(),
                event.state(),
                event.healthy(),
                event.failOpen(),
                event.cause());
        if (reportedStateChanged && sink != null) {
            try {
                sink.onStateChange(event.destinationId(), event.state());
            } catch (final RuntimeException e) {
                LOG.warn("DestinationHealthSink threw", e);
            }
        }
        for (final HealthListener l : listeners) {
            try {
                l.onHealthEvent(event);
            } catch (final RuntimeException e) {
                LOG.warn("HealthListener threw", e);
            }
        }
    }

    /** Why a passive ejection happened, for the operator who has to tell a dead destination from an overload. */
    void ejected(
            final String destinationId,
            final HealthCause cause,
            final long forNs,
            final long sinceAnswerNs,
            final long timeoutsForgiven,
            final long unansweredForgiven) {
        LOG.warn(
                "destination {} ejected for {} ms ({}): last answer to real traffic {}; forgiven so far (it was "
                        + "answering): {} timeouts, {} unanswered INVITEs",
                destinationId,
                forNs / 1_000_000,
                cause,
                sinceAnswerNs < 0 ? "never" : sinceAnswerNs / 1_000_000 + " ms before",
                timeoutsForgiven,
                unansweredForgiven);
    }

    void panic(
            final String setName,
            final boolean entered,
            final int out,
            final int enabled,
            final int maxEjectedPercent,
            final long nowNs) {
        if (entered) {
            LOG.error(
                    "PANIC: set {} has {} of {} enabled destinations failing, over the {}% limit: FAILING OPEN, "
                            + "all enabled destinations are reported ACTIVE",
                    setName, out, enabled, maxEjectedPercent);
        } else {
            LOG.warn(
                    "set {} left panic mode ({} of {} failing): destinations reported by their own health again",
                    setName,
                    out,
                    enabled);
        }
        for (final HealthListener l : listeners) {
            try {
                l.onPanic(setName, entered, out, enabled, nowNs);
            } catch (final RuntimeException e) {
                LOG.warn("HealthListener threw on panic", e);
            }
        }
    }

    void rampFactor(final String destinationId, final double factor, final long nowNs) {
        for (final HealthListener l : listeners) {
            try {
                l.onRampFactor(destinationId, factor, nowNs);
            } catch (final RuntimeException e) {
                LOG.warn("HealthListener threw on ramp", e);
            }
        }
    }

    void latencySample(final String destinationId, final long rttNs) {
        if (sink != null) {
            try {
                sink.onLatencySample(destinationId, rttNs);
            } catch (final RuntimeException e) {
                LOG.warn("DestinationHealthSink threw", e);
            }
        }
    }

    void destinationsUp(final DestinationsUpListener listener, final String setName, final int up, final int total) {
        if (listener == null) {
            return;
        }
        try {
            listener.onDestinationsUp(up, total);
        } catch (final RuntimeException e) {
            LOG.warn("DestinationsUpListener of set {} threw", setName, e);
        }
    }

    void setReplaced(final String setName, final int size) {
        LOG.info("set {} now has {} destination(s)", setName, size);
    }

    void adminChanged(final String destinationId, final AdminState state) {
        LOG.info("destination {} admin state {}", destinationId, state);
    }
}
