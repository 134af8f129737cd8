/**
 * Destination health for sip-ha: active SIP OPTIONS probing plus passive outlier detection fed by real traffic,
 * with the safety rails that keep a dispatcher from cascading under load.
 *
 * <h2>Threading: one owner</h2>
 * {@link org.sipha.health.HealthMonitor} holds all mutable state and is changed only inside
 * {@code doWork(nowNs)}, called by one thread (e.g. {@link org.sipha.health.HealthMonitorRunner}). Other threads
 * talk to it through bounded lock-free queues: the forwarding engine's I/O threads through
 * {@code outcomeListener()} (pooled slots, no allocation, drops counted when full), operators through
 * {@code setAdminState} and {@code replaceSet} (a set's members after a reload; the destinations that stay keep
 * their health). The prober runs inside the same duty cycle, so probe results need no queue. Readers get an
 * immutable {@link org.sipha.health.HealthSnapshot} replaced whole by the owner; {@code
 * org.sipha.health.metrics.HealthMetrics} reads it for Prometheus at scrape time.
 * {@link org.sipha.health.HealthChecking} bundles a monitor and its runner for one set of destinations, for
 * embedding next to a proxy whose sockets the probes leave from.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>Probes: {@code fall} consecutive failures take a destination down (INACTIVE); the first success after that
 *       makes it PROBING, {@code rise} successes make it ACTIVE. A reply counts only if it matches the outstanding
 *       probe and comes from the address and port the probe went to: a forged one changes nothing (a destination
 *       that answers from another address is taken for a forger and its probes time out).</li>
 *   <li>Passive: timeouts and configured 5xx codes are failures; {@code consecutiveFailures} in a row or a failure
 *       share over a sliding window ejects. Ejection time doubles on repeated ejections up to a cap. The engine's
 *       early signal (an INVITE with no response at all by its first retransmission) counts, and a failover timeout
 *       counts as a consecutive failure, only if the destination answered no real traffic within
 *       {@code trafficAliveGraceNs}: a silent destination goes well before the failover timer while a busy one that
 *       still answers is left alone (under overload whole bursts of timeouts expire at once); timeouts always
 *       enter the failure-rate window; the timeout of an INVITE already counted early does not count it twice.</li>
 *   <li>No flapping under overload: slow answers are never failures; a probe timeout shortly after a real-traffic
 *       success is forgiven; a real-traffic success revives a probed-down destination.</li>
 *   <li>Panic: when more than {@code maxEjectedPercent} of a set's enabled destinations are out, all enabled ones
 *       are reported ACTIVE (fail open), logged at ERROR and signalled to listeners. The "destinations up"
 *       aggregate still tells the truth so the anycast side can withdraw the site.</li>
 *   <li>Slow start: after recovery a ramp factor rises from {@code slowStartMinFactor} to 1 over
 *       {@code slowStartNs}, exposed in the snapshot and as listener events, for the dispatcher's weights.</li>
 * </ul>
 */
package org.sipha.health;
