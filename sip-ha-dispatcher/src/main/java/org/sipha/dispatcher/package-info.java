/**
 * Lock-free destination sets and selection.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>One writer, immutable snapshots.</b> {@link org.sipha.dispatcher.RoutingTableOwner} is the only thread
 *       that changes configuration or states. Each change builds a complete new
 *       {@link org.sipha.dispatcher.RoutingTable} and publishes it with one volatile write; readers load it once
 *       per request. {@link org.sipha.dispatcher.RoutingTableWriter} is a ready-made owner thread that sleeps
 *       until the health side reports a change. A destination's state is part of the snapshot, and selectors are
 *       built per snapshot from its ACTIVE entries only, so a selection can never return a destination that was
 *       not ACTIVE in the snapshot it used: by construction, not by re-checking.</li>
 *   <li><b>Mutable runtime data is carried, not copied.</b> Leases, latency EWMA and statistics live in one
 *       {@link org.sipha.dispatcher.DestinationRuntime} per destination id, shared by every snapshot that keeps
 *       the id; round-robin cursors live in one striped counter per set id. Reloads and state flaps therefore
 *       neither reset load counts nor restart round-robin.</li>
 *   <li><b>Precompute on the writer, read on the hot path.</b> Smooth weighted round-robin is stored as its
 *       schedule array; weighted random as cumulative weights; priority groups as a sorted index; rendezvous
 *       hashing as per-id seeds. Selection is then array reads, one striped {@code getAndIncrement} and, for
 *       least-calls and bounded load, the lease counts.</li>
 *   <li><b>No locks, no allocation when selecting.</b> No {@code synchronized}, no {@code Lock}; counters that
 *       several threads increment are striped over padded cells
 *       ({@code StripedCounter}); the failover iterator reuses one bitset.</li>
 * </ul>
 *
 * <h2>Public types</h2>
 * Configuration: {@link org.sipha.dispatcher.DispatcherConfig}, {@link org.sipha.dispatcher.DestinationSetConfig},
 * {@link org.sipha.dispatcher.Algorithm}, {@link org.sipha.dispatcher.DispatcherListReader} (Kamailio's
 * {@code dispatcher.list}) and its {@link org.sipha.dispatcher.DispatcherListException}; the writer and its
 * snapshots: {@link org.sipha.dispatcher.RoutingTableOwner}, {@link org.sipha.dispatcher.RoutingDiff},
 * {@link org.sipha.dispatcher.RoutingTable}, {@link org.sipha.dispatcher.DestinationSet},
 * {@link org.sipha.dispatcher.DestinationEntry}, {@link org.sipha.dispatcher.DestinationRuntime}; selection:
 * {@link org.sipha.dispatcher.FailoverIterator}, {@link org.sipha.dispatcher.KeyHash}. The destinations themselves
 * are {@link org.sipha.core.model.Destination}s. The algorithms, the lease wheel, the striped counters and the
 * health signal queue are package-private. The forwarding engine that selects through these is
 * {@link org.sipha.dispatcher.engine}; {@code org.sipha.dispatcher.metrics} exposes the engine's counters and every
 * destination's state, leases and latency as Micrometer meters, read at scrape time.
 *
 * <h2>Benign races</h2>
 * <ul>
 *   <li>Lease counts are read slot by slot while other threads update them: selection sees a count that was
 *       true at some instant during the read, which is all load balancing needs. The per-destination cap is
 *       enforced at acquire time (count first, give back if over), not at selection time.</li>
 *   <li>Latency EWMA may be updated between the passes of the lowest-latency selector; the selector then
 *       falls back to any untried active entry rather than report exhaustion.</li>
 * </ul>
 */
package org.sipha.dispatcher;
