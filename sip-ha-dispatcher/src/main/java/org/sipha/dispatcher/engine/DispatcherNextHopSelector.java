package org.sipha.dispatcher.engine;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.sipha.core.model.DestinationState;
import org.sipha.core.model.Transport;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.DestinationRuntime;
import org.sipha.dispatcher.DestinationSet;
import org.sipha.dispatcher.FailoverIterator;
import org.sipha.dispatcher.KeyHash;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.dispatcher.RoutingTableOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter between the engine and the dispatcher: each cursor is a {@link FailoverIterator} over one set of
 * the current {@link RoutingTable} snapshot, so the set's algorithm (round-robin, weighted, hashing, least
 * calls, latency, priority groups) and the destinations' health states decide where calls go and fail over to.
 *
 * <p>Threading: {@link #newCursor()} any thread; each cursor on one I/O thread, as the engine uses them. The
 * snapshot is loaded once per request ({@link NextHopSelector.FailoverCursor#reset}).
 *
 * <p>Not covered yet: the call leases {@code LEAST_CALLS} counts ({@link DestinationEntry#tryAcquireLease()})
 * are not taken by the engine, and destinations whose host is not an IP literal are skipped (logged once).
 */
public final class DispatcherNextHopSelector implements NextHopSelector {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherNextHopSelector.class);
    private final Supplier<RoutingTable> tables;
    private final int setId;
    private final ConcurrentHashMap<org.sipha.core.model.Destination, Optional<Destination>> converted =
        new ConcurrentHashMap<>();

    public DispatcherNextHopSelector(RoutingTableOwner owner, int setId) {
        this(owner::table, setId);
    }

    public DispatcherNextHopSelector(Supplier<RoutingTable> tables, int setId) {
        this.tables = tables;
        this.setId = setId;
    }

    @Override
    public FailoverCursor newCursor() {
        return new Cursor();
    }

    /** Destinations ramping up after recovery (slow start): id -> share of the calls offered to them that they take. */
    private final ConcurrentHashMap<String, Double> trafficShare = new ConcurrentHashMap<>();

    /**
     * Slow start: while {@code share} is below 1, a call for which {@code destinationId} is chosen goes to it
     * only with that probability, otherwise to the next choice (and back to it only if every other choice is
     * used up). Works with every algorithm, weighted or not; the resulting share of traffic rises with
     * {@code share} but is not exactly proportional (with round robin, a call passed over also moves the cursor
     * on). {@code share >= 1} ends the limit. Any thread
     * (health checking calls it as a recovered destination's ramp advances).
     */
    public void setTrafficShare(String destinationId, double share) {
        if (share >= 1 || Double.isNaN(share)) {
            trafficShare.remove(destinationId);
        } else {
            trafficShare.put(destinationId, Math.max(0, share));
        }
    }

    @Override
    public long version() {
        return tables.get().version();
    }

    /** Usable while an entry of the set that maps to {@code destination} is ACTIVE (panic fail-open reports ACTIVE). */
    @Override
    public boolean isUsable(Destination destination) {
        DestinationSet set = tables.get().set(setId);
        if (set == null) {
            return false;
        }
        for (int i = 0; i < set.size(); i++) {
            DestinationEntry e = set.entry(i);
            Optional<Destination> d = engineDestination(e.destination());
            if (d.isPresent() && d.get().equals(destination) && e.state() == DestinationState.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    /** Down while every entry of the set that maps to {@code destination} is INACTIVE or PROBING (health says so). */
    @Override
    public boolean isDown(Destination destination) {
        DestinationSet set = tables.get().set(setId);
        if (set == null) {
            return false;
        }
        boolean found = false;
        for (int i = 0; i < set.size(); i++) {
            DestinationEntry e = set.entry(i);
            Optional<Destination> d = engineDestination(e.destination());
            if (d.isPresent() && d.get().equals(destination)) {
                DestinationState st = e.state();
                if (st != DestinationState.INACTIVE && st != DestinationState.PROBING) {
                    return false;
                }
                found = true;
            }
        }
        return found;
    }

    /** The engine's view of a dispatcher destination; empty if the engine cannot reach it (kept, so logged once). */
    Optional<Destination> engineDestination(org.sipha.core.model.Destination d) {
        Optional<Destination> e = converted.get(d);
        return e != null ? e : converted.computeIfAbsent(d, DispatcherNextHopSelector::convert);
    }

    private static Optional<Destination> convert(org.sipha.core.model.Destination d) {
        if (d.transport() != Transport.UDP && d.transport() != Transport.TCP) {
            LOG.warn("destination {} skipped: transport {} is not supported by the engine", d.id(), d.transport());
            return Optional.empty();
        }
        try {
            return Optional.of(Destination.of(d.host(), d.port(), d.transport() == Transport.TCP ? "tcp" : "udp"));
        } catch (IllegalArgumentException e) {
            LOG.warn("destination {} skipped: {}", d.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Takes a call lease on each destination it returns, so least-calls selection, {@code maxload} caps and
     * bounded-load hashing see the engine's calls; a destination at its cap is skipped like a tried one.
     */
    private final class Cursor implements FailoverCursor {
        private final FailoverIterator iterator = new FailoverIterator();
        private DestinationEntry leased;
        private long lease;
        /** A ramping destination passed over by slow start: offered last, once everything else was tried. */
        private DestinationEntry deferred;
        private Destination deferredDestination;

        @Override
        public void reset(int requestKey) {
            leased = null; // a lease kept by the previous request (an answered call) lives on until it expires
            deferred = null;
            deferredDestination = null;
            iterator.reset(tables.get(), setId, KeyHash.mix64(requestKey));
        }

        @Override
        public Destination next() {
            for (DestinationEntry e = iterator.next(); e != null; e = iterator.next()) {
                Optional<Destination> d = engineDestination(e.destination());
                if (d.isEmpty()) {
                    continue;
                }
                if (deferred == null && !trafficShare.isEmpty()) {
                    Double share = trafficShare.get(e.destination().id());
                    if (share != null && ThreadLocalRandom.current().nextDouble() >= share) {
                        deferred = e;
                        deferredDestination = d.get();
                        continue;
                    }
                }
                if (lease(e)) {
                    return d.get();
                }
            }
            if (deferred != null) {
                DestinationEntry e = deferred;
                Destination d = deferredDestination;
                deferred = null;
                deferredDestination = null;
                if (lease(e)) {
                    return d;
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

        @Override
        public void release() {
            DestinationEntry e = leased;
            if (e != null) {
                leased = null;
                e.releaseLease(lease);
            }
        }
    }
}
