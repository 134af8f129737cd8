package org.sipha.dispatcher.engine;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.DestinationRuntime;
import org.sipha.dispatcher.DestinationSet;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.FailoverIterator;
import org.sipha.dispatcher.KeyHash;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.dispatcher.RoutingTableOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the engine sends initial requests and where it fails over to: one set of the dispatcher's current
 * {@link RoutingTable}, so the set's algorithm (round-robin, weighted, hashing, least calls, latency, priority
 * groups) and the destinations' health states decide. Each call's cursor is a {@link FailoverIterator} over the
 * snapshot it loaded when the call began, and takes a call lease on each destination it returns, so least-calls
 * selection, {@code maxload} caps and bounded-load hashing see the engine's calls. Destinations the engine cannot
 * reach (a host name rather than an IP literal, a transport other than UDP or TCP) are skipped, logged once.
 *
 * <h2>Threading</h2>
 * Construction and {@link #setTrafficShare}: any thread. The engine makes its cursors while it starts, then uses
 * each on one event loop; the next hops of a snapshot are worked out once, by the first loop that meets it.
 */
public final class DispatcherNextHopSelector {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherNextHopSelector.class);
    private final Supplier<RoutingTable> tables;
    private final int setId;
    /** One next hop per destination for the life of the selector; empty if the engine cannot reach it. */
    private final ConcurrentHashMap<Destination, Optional<NextHop>> hops = new ConcurrentHashMap<>();
    /** Destinations ramping up after recovery (slow start): id -> share of the calls offered to them that they take. */
    private final ConcurrentHashMap<String, Double> trafficShare = new ConcurrentHashMap<>();
    /** The index the next next hop gets: it keys that destination's counters in every loop. */
    private final AtomicInteger nextHopIndex = new AtomicInteger();

    private final Function<Destination, Optional<NextHop>> makeHop = this::nextHop;
    /** The next hops of the set's entries in the latest table seen; replaced whole (copy on write). */
    private volatile SetHops setHops = new SetHops(null, new NextHop[0]);

    /** Selects from set {@code setId} of {@code owner}'s current table. */
    public DispatcherNextHopSelector(RoutingTableOwner owner, int setId) {
        this(owner::table, setId);
    }

    /** Selects from set {@code setId} of whatever table {@code tables} returns (once per request). */
    public DispatcherNextHopSelector(Supplier<RoutingTable> tables, int setId) {
        this.tables = tables;
        this.setId = setId;
    }

    /** Round robin over {@code destinations}: set 1 of a routing table of its own, which never changes. */
    static DispatcherNextHopSelector roundRobin(List<Destination> destinations) {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(Algorithm.ROUND_ROBIN);
        destinations.forEach(set::add);
        RoutingTableOwner owner = new RoutingTableOwner(
                DispatcherConfig.builder().set(set.build()).build());
        return new DispatcherNextHopSelector(owner, 1);
    }

    /**
     * Slow start: while {@code share} is below 1, a call for which {@code destinationId} is chosen goes to it
     * only with that probability, otherwise to the next choice (and back to it only if every other choice is
     * used up). Works with every algorithm, weighted or not: the destination gets about {@code share} of the
     * calls it would get without the limit. {@code share >= 1} ends the limit. Any thread (health checking calls
     * it as a ramp advances).
     */
    public void setTrafficShare(String destinationId, double share) {
        if (share >= 1 || Double.isNaN(share)) {
            trafficShare.remove(destinationId);
        } else {
            trafficShare.put(destinationId, Math.max(0, share));
        }
    }

    /** A new cursor; the engine keeps one per call slot (and one for stateless requests) and reuses it. */
    Cursor newCursor() {
        return new Cursor();
    }

    /** Changes whenever the usable destinations may have changed (the table's version). Any thread. */
    long version() {
        return tables.get().version();
    }

    /** Whether new calls may go to {@code hop}: an entry of the set that maps to it is ACTIVE. Any thread. */
    boolean isUsable(NextHop hop) {
        RoutingTable table = tables.get();
        DestinationSet set = table.set(setId);
        if (set == null) {
            return false;
        }
        NextHop[] h = hopsOf(table);
        for (int i = 0; i < set.size(); i++) {
            if (hop.equals(h[i]) && set.entry(i).state() == DestinationState.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    /** Whether a new call has somewhere to go: an ACTIVE entry of the set that the engine can reach. Any thread. */
    boolean hasUsableDestination() {
        RoutingTable table = tables.get();
        DestinationSet set = table.set(setId);
        if (set == null) {
            return false;
        }
        NextHop[] h = hopsOf(table);
        for (int i = 0; i < set.size(); i++) {
            if (h[i] != null && set.entry(i).state() == DestinationState.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether health checking found {@code hop} down: every entry of the set that maps to it is INACTIVE or
     * PROBING (not DISABLED or draining by an operator, which lets ringing calls finish). Any thread.
     */
    boolean isDown(NextHop hop) {
        RoutingTable table = tables.get();
        DestinationSet set = table.set(setId);
        if (set == null) {
            return false;
        }
        NextHop[] h = hopsOf(table);
        boolean found = false;
        for (int i = 0; i < set.size(); i++) {
            if (hop.equals(h[i])) {
                DestinationState st = set.entry(i).state();
                if (st != DestinationState.INACTIVE && st != DestinationState.PROBING) {
                    return false;
                }
                found = true;
            }
        }
        return found;
    }

    /**
     * Whether {@code address} is the address of a destination of the set in the current table, whatever its state.
     * Any thread; allocation-free (a walk over the set).
     */
    boolean isDestination(InetSocketAddress address) {
        return hopAt(address) != null;
    }

    /** The next hop of the current table's entry at {@code address}, or null if none is there. Any thread. */
    NextHop hopAt(InetSocketAddress address) {
        NextHop[] h = hopsOf(tables.get());
        for (NextHop hop : h) {
            if (hop != null && hop.address().equals(address)) {
                return hop;
            }
        }
        return null;
    }

    /**
     * The next hops of every entry of the set in the current table, whatever their state (null: not reachable), by
     * entry index; shared, never to be modified. Any thread; allocation-free once per table.
     */
    NextHop[] hops() {
        return hopsOf(tables.get());
    }

    /** The next hops of the set's entries in {@code table}, by entry index (null: not reachable). */
    private NextHop[] hopsOf(RoutingTable table) {
        SetHops s = setHops;
        if (s.table != table) { // once per table version; racing loops build equal arrays of the same hops
            DestinationSet set = table.set(setId);
            NextHop[] h = new NextHop[set == null ? 0 : set.size()];
            for (int i = 0; i < h.length; i++) {
                h[i] = hops.computeIfAbsent(set.entry(i).destination(), makeHop).orElse(null);
            }
            s = new SetHops(table, h);
            setHops = s;
        }
        return s.hops;
    }

    private Optional<NextHop> nextHop(Destination d) {
        try {
            return Optional.of(NextHop.of(d, nextHopIndex.getAndIncrement()));
        } catch (IllegalArgumentException e) {
            LOG.warn("destination {} skipped: {}", d.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The counter indexes of every next hop made so far for destination id {@code destinationId} (one per version
     * of its configuration the engine met), for reading its counters. Any thread; allocates: not for the message
     * path.
     */
    int[] hopIndexes(String destinationId) {
        return hops.entrySet().stream()
                .filter(e ->
                        e.getKey().id().equals(destinationId) && e.getValue().isPresent())
                .mapToInt(e -> e.getValue().get().index())
                .toArray();
    }

    private record SetHops(RoutingTable table, NextHop[] hops) {}

    /**
     * The failover order of one request. Single-threaded (one event loop); reusable: {@link #reset} starts a new
     * request. Allocation-free once the snapshot's next hops are known.
     */
    final class Cursor {
        private final FailoverIterator iterator = new FailoverIterator();
        private NextHop[] snapshotHops = new NextHop[0];
        private DestinationEntry leased;
        private long lease;
        /** A ramping destination passed over by slow start: offered last, once everything else was tried. */
        private DestinationEntry deferred;

        /** Starts a new request; {@code requestKey} is a stable hash of it (of its Call-ID), for hashing sets. */
        void reset(int requestKey) {
            leased = null; // a lease kept by the previous request (an answered call) lives on until it expires
            deferred = null;
            RoutingTable table = tables.get();
            snapshotHops = hopsOf(table);
            iterator.reset(table, setId, KeyHash.mix64(requestKey));
        }

        /**
         * The next hop to try, never one of a destination already returned since {@link #reset}; null when every
         * usable one was tried. Takes a call lease on its destination, kept (the call counts until the lease
         * expires) unless {@link #release} gives it back; a destination at its {@code maxload} is skipped.
         */
        NextHop next() {
            for (DestinationEntry e = iterator.next(); e != null; e = iterator.next()) {
                NextHop hop = snapshotHops[e.index()];
                if (hop == null) {
                    continue;
                }
                if (deferred == null && !trafficShare.isEmpty()) {
                    Double share = trafficShare.get(e.destination().id());
                    if (share != null && ThreadLocalRandom.current().nextDouble() >= share) {
                        deferred = e;
                        continue;
                    }
                }
                if (lease(e)) {
                    return hop;
                }
            }
            if (deferred != null) {
                DestinationEntry e = deferred;
                deferred = null;
                if (lease(e)) {
                    return snapshotHops[e.index()];
                }
            }
            leased = null;
            return null;
        }

        /** Takes a call lease on {@code e}; false if it reached its maxload since it was selected. */
        private boolean lease(DestinationEntry e) {
            long token = e.tryAcquireLease();
            if (token == DestinationRuntime.NO_LEASE) {
                return false;
            }
            leased = e;
            lease = token;
            return true;
        }

        /**
         * Gives back the lease of the destination last returned by {@link #next}: its branch failed or was
         * abandoned, or the request was not a call. Idempotent.
         */
        void release() {
            DestinationEntry e = leased;
            if (e != null) {
                leased = null;
                e.releaseLease(lease);
            }
        }
    }
}
