/**
 * The forwarding engine: a SIP proxy core (RFC 3261 section 16) on Netty UDP and TCP, with failover and
 * stateless in-dialog routing.
 *
 * <h2>Shape</h2>
 * <pre>
 *   SipProxyServer ── one MultiThreadIoEventLoopGroup (epoll, NIO fallback)
 *      ├─ loop 0: UDP socket(s) with SO_REUSEPORT ── ProxyWorker 0 (CallTable, views, editor, signer)
 *      └─ loop 1: UDP socket(s) with SO_REUSEPORT ── ProxyWorker 1
 *   TCP: one listening socket; each connection (accepted or opened towards a destination) lives on one loop,
 *        framed by Content-Length (TcpSipFramer) and kept in that loop's TcpConnections for reuse
 *   NextHopSelector ── where to send an initial request, and where to fail over (per-call FailoverCursor):
 *                      DispatcherNextHopSelector (the dispatcher's sets and algorithms) or RoundRobinSelector
 *   ForwardingOutcomeListener (sip-ha-core spi) ── responses, latencies and timeouts per destination
 * </pre>
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li><b>One worker per event loop, single writer.</b> A worker owns its {@link
 *   org.sipha.dispatcher.engine.CallTable}; nothing in it is shared, so there are no locks and no atomics on the
 *   message path.</li>
 *   <li><b>Responses find their call without a lookup.</b> The Via branch of a forwarded INVITE is
 *   {@code z9hG4bKshS<loop>.<slot>.<generation>.<attempt>}. The kernel spreads datagrams over the
 *   {@code SO_REUSEPORT} sockets by source address, so a response may arrive on another loop: that loop hands the
 *   packet to the owner through a bounded MPSC queue (JCTools) and one reusable drain task. A stale generation or
 *   attempt never touches a reused slot.</li>
 *   <li><b>Requests from the same source stay on one loop</b> (same 4-tuple, same socket), so INVITE
 *   retransmissions, CANCEL and the ACK of a non-2xx find the call by (Call-ID, upstream branch) in the owner's
 *   hash index.</li>
 *   <li><b>Timers without timer objects.</b> Each call sits on one of four FIFO lists (failover timer, ring
 *   timer C, linger, and a 64·T1 linger for a call whose caller retransmitted its INVITE, so a late copy is
 *   absorbed rather than forwarded as a new call: RFC 6026), and while an INVITE over UDP is unanswered on one
 *   of three retransmission lists (T1, 2·T1, 4·T1: RFC 3261 timer A); all entries of a list share one
 *   duration, so appending keeps it sorted and a tick every 10 ms expires heads only.</li>
 *   <li><b>Health signals that do not lie under overload.</b> A silent destination is reported early (no answer
 *   by the first retransmission) and at the failover timer, but not while any loop has fallen behind its own
 *   socket (a full read batch, a late tick): then the silence may be ours. When the routing table changes,
 *   INVITEs still waiting on a destination that is no longer usable are failed over at once.</li>
 *   <li><b>Probes from the proxy's socket.</b> {@link org.sipha.dispatcher.engine.ProxyProbeTransport} sends
 *   health OPTIONS from the listening UDP socket and hands their replies (recognised by branch prefix) to the
 *   health thread through a bounded queue.</li>
 *   <li><b>Bounded.</b> {@code maxCallsPerLoop} states per loop, created on first need and reused; a full table
 *   answers 503 + Retry-After. The stored INVITE is a pooled copy, released when the call settles.</li>
 * </ul>
 *
 * <h2>Stateless in-dialog routing</h2>
 * The Record-Route entry carries {@code shd=<destination>;shm=<HMAC>} (see
 * {@link org.sipha.dispatcher.engine.RouteTokenSigner}): any proxy that shares the key routes a dialog's later
 * requests without state. Callee-to-caller requests (from the token's destination) go to the Request-URI, the
 * others to the destination; a further Route entry wins in both directions. A missing or forged token is
 * answered 403 (an ACK is dropped): nothing is relayed on a request that did not come through a proxy of ours.
 *
 * <h2>Known limits</h2>
 * No TLS; a dialog whose two sides use different transports gets one Record-Route (no double record-routing,
 * RFC 5658); TCP writes are flushed per message; no spirals (a request that already carries our Via is a loop, 482); next hops must be IP
 * literals (no DNS on I/O threads); an INVITE retransmitted after its final response is absorbed rather than
 * answered again; a stateless forward towards a second Route entry does not double Record-Route.
 */
package org.sipha.dispatcher.engine;
