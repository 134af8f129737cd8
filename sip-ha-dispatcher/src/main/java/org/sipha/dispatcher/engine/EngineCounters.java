package org.sipha.dispatcher.engine;

import java.util.function.ToLongFunction;
import org.sipha.core.message.SipMethod;

/**
 * What the engine's event loops counted, summed over the loops at the moment of reading: requests by method,
 * responses sent by class, refusals and failovers by reason, and per destination the requests forwarded to it and
 * its responses by class. Each loop keeps its own plain counters, written only by that loop; reading them here
 * neither locks nor slows the loops, and each sum is of recent values. Read it at scrape time.
 *
 * <p>Any thread. Reading allocates nothing except {@link #forwardedTo} and {@link #responsesFrom}, which look up
 * the destination's counter indexes first.
 */
public final class EngineCounters {
    private final LoopChannelHandler[] loops;
    private final DispatcherNextHopSelector selector;

    EngineCounters(LoopChannelHandler[] loops, DispatcherNextHopSelector selector) {
        this.loops = loops;
        this.selector = selector;
    }

    /** Requests received with method {@code m} ({@link SipMethod#OTHER} for extension methods). */
    public long requests(SipMethod m) {
        return sum(w -> w.traffic().requests(m));
    }

    /** Responses sent upstream, relayed or written by the engine itself, of class {@code statusClass} (1 to 6). */
    public long responsesSent(int statusClass) {
        return sum(w -> w.traffic().responsesSent(statusClass));
    }

    /** Messages dropped, answered with an error, or new calls answered 503 by the engine, for {@code reason}. */
    public long refusals(Refusal reason) {
        return sum(w -> w.refusals(reason));
    }

    /** Call setups moved to another destination for {@code reason}. */
    public long failovers(Failover reason) {
        return switch (reason) {
            case EJECTION -> sum(LoopChannelHandler::fastFailovers);
            case RINGING -> sum(LoopChannelHandler::ringingFailovers);
            default -> sum(w -> w.traffic().failovers(reason));
        };
    }

    /** Responses dropped because their branch's MAC or source did not verify. */
    public long forgedResponsesDropped() {
        return sum(LoopChannelHandler::forgedResponses);
    }

    /** In-dialog requests refused: no valid token, or a next hop the policy does not allow. */
    public long relayAttemptsRefused() {
        return sum(LoopChannelHandler::refusedRelays);
    }

    /** INVITE transactions without a final response yet (published by each loop every few ms). */
    public int callsInFlight() {
        int n = 0;
        for (LoopChannelHandler w : loops) {
            n += w == null ? 0 : w.activeCalls();
        }
        return n;
    }

    /** Initial requests forwarded to destination {@code destinationId} (INVITE branches included). */
    public long forwardedTo(String destinationId) {
        int[] hops = selector.hopIndexes(destinationId);
        return sum(w -> {
            long n = 0;
            for (int h : hops) {
                n += w.destinationCounters().forwarded(h);
            }
            return n;
        });
    }

    /**
     * Responses of class {@code statusClass} (1 to 6) that destination {@code destinationId} sent to forwarded
     * INVITEs: every provisional one, and the final one once per branch.
     */
    public long responsesFrom(String destinationId, int statusClass) {
        int[] hops = selector.hopIndexes(destinationId);
        return sum(w -> {
            long n = 0;
            for (int h : hops) {
                n += w.destinationCounters().responses(h, statusClass);
            }
            return n;
        });
    }

    private long sum(ToLongFunction<LoopChannelHandler> counter) {
        long n = 0;
        for (LoopChannelHandler w : loops) {
            if (w != null) {
                n += counter.applyAsLong(w);
            }
        }
        return n;
    }
}
