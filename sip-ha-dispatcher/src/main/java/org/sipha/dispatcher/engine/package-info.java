/**
 * The forwarding engine: a SIP proxy core (RFC 3261 section 16) on Netty UDP and TCP, with failover and
 * stateless in-dialog routing, split by layer as Kamailio splits sl, maxfwd, tm and rr.
 *
 * <h2>Request path: a pipeline of layers</h2>
 * <pre>
 *   LoopChannelHandler ── frames the message (SipMessageView) ──┬─ request ─→ RequestGate
 *                                                              └─ response ─→ ResponseRouter
 *   RequestGate: source over its request rate: dropped · 400 malformed · 483 Max-Forwards 0 · 482 our Via
 *                already there · initial request from outside the access list: dropped
 *      ├─ initial INVITE, CANCEL ─────→ InviteTransactions (CallTable; timers in InviteTimers); a new call
 *      │                                 first passes its source's new-call rate (SourceRateLimiter); a CANCEL
 *      │                                 for an INVITE this loop did not forward → ForeignCancels
 *      ├─ OPTIONS naming the proxy ───→ LocalOptionsResponder (200, or 503 + Retry-After + Warning)
 *      ├─ other initial request ──────→ StatelessForwarder
 *      └─ in-dialog request ──────────→ DialogRouter (Record-Route token)
 *   every layer ─→ Egress: encode into a pooled buffer, write to UDP / TCP / the in-memory output, flush per batch
 *                  (onto TCP a message gets the Content-Length a datagram may lack: only it delimits a stream's body)
 *
 *   ResponseRouter, by the top Via's branch (ViaCodec):
 *      not ours → dropped (health probe replies → ProxyProbeTransport) · MAC does not verify → dropped, counted
 *      stateless → StatelessForwarder · stateful of another loop → that loop's hand-off queue (it verifies)
 *      stateful of this loop → InviteTransactions
 * </pre>
 *
 * <h2>Nothing relayed that we did not route</h2>
 * <ul>
 *   <li>An in-dialog request goes only to a hop its Record-Route token or the configuration vouches for: the
 *   token's destination or the dialog's upstream (both signed into the token), a configured destination, or an
 *   address the access list admits; else 403 ({@code DialogRouter} documents the policy). The token names its key;
 *   the current and the previous key are accepted ({@code RouteTokenSigner}). Both come from a
 *   {@link org.sipha.dispatcher.engine.RecordRouteKeyRing}, so they rotate while the engine runs: each loop loads
 *   the ring's snapshot once per signature or check and rebuilds its MAC state on its own thread after a change.</li>
 *   <li>Every branch of ours carries a MAC ({@code BranchSigner}) over the request it was forwarded for and the
 *   address its response goes back to; a stateful branch's MAC also covers the destination it was sent to, and is
 *   stored in the call state, so a live call's response costs a byte compare and must come from that
 *   destination. A response that fails is dropped, counted, and reaches neither the call nor health checking.
 *   The call slot a stateful Via names ({@code shs}) is outside the MAC, so a response that does not carry the
 *   slot's stored MAC must be of that slot's request (Call-ID and upstream branch) as well.</li>
 *   <li>A CANCEL for an INVITE this proxy did not forward ({@code ForeignCancels}) goes only to the destinations
 *   of the set, only for a source the access list admits and within its new-call rate, on the branch a proxy sharing the key gave (or would
 *   have given) that INVITE there; it takes a call slot, and only answers carrying that branch count.</li>
 *   <li>No TCP connection is opened towards an address read from a message: responses by Via and in-dialog hops
 *   that are not our destinations use an existing connection or are dropped (counted).</li>
 * </ul>
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li>{@code LoopChannelHandler}: the Netty handler of one loop and its layers' assembly: read batching,
 *       "fallen behind" detection, the hand-off queue from other loops, the timer tick, the flush.</li>
 *   <li>{@code LoopContext}: what the layers of one loop share: configuration, {@link
 *       org.sipha.dispatcher.engine.NanoClock clock}, loop index, the reused message views and editor, the
 *       address cache.</li>
 *   <li>{@code RequestGate}: request checks and the choice of layer; source checks: the access list and the
 *       per-source token buckets of {@code SourceRateLimiter} (sources as {@code SourceKey}s); refused sources
 *       get no answer (or 503 for a rate, if configured), and each refusal is counted ({@link
 *       org.sipha.dispatcher.engine.Refusal}, {@code RefusalCounters}; a {@code RefusalSummary} line every 10 s).
 *       {@code LocalOptionsResponder} answers an OPTIONS naming the proxy.</li>
 *   <li>{@code InviteTransactions} and {@code InviteTimers}: the INVITE transactions: call table, branches,
 *       100 Trying, failover on codes and on timers, timer A retransmission, timer C, CANCEL, ACK of non-2xx,
 *       linger, the late 2xx of an abandoned branch; health outcome reports. {@code ForeignCancels}: a CANCEL
 *       whose INVITE another proxy of the deployment (or another loop) forwarded, sent to every destination of
 *       the set on the branch that INVITE has there (see "CANCEL across proxies").</li>
 *   <li>{@code DialogRouter}: Route and Record-Route: the signed token ({@code RouteTokenSigner}) out and back.</li>
 *   <li>{@link org.sipha.dispatcher.engine.DispatcherNextHopSelector}: where calls go and fail over to, from a set
 *       of the dispatcher's routing table; its per-call cursors hand out {@code NextHop}s (a core
 *       {@link org.sipha.core.model.Destination} resolved once: address, transport, token name).</li>
 *   <li>{@code StatelessForwarder}: non-INVITE initial requests and responses by their second Via.</li>
 *   <li>{@code AccountingRecorder}: call accounting (Kamailio's acc), off unless configured: per forwarded INVITE
 *       one OUTCOME (the final answer its caller got, and the destination that gave it), per 2xx a START, per BYE
 *       routed a STOP, keyed by Call-ID and the caller's and callee's tags whichever side sends the BYE; each goes
 *       into the loop's own ring ({@link org.sipha.core.accounting.CallEventRings}), never waiting for its
 *       writer.</li>
 *   <li>{@code ViaCodec}: the proxy's Via and branches; {@code Egress}: everything that leaves;
 *       {@code SipWriter}: the messages the proxy writes itself.</li>
 *   <li>TCP, every connection bounded: {@code TcpAdmission} (at accept, before any read: the access list, the
 *       total and per-source caps), {@code TcpSipFramer} (framing that resumes where it stopped, so a byte-per-packet
 *       sender costs linear work; the size limit, with a 513), {@code TcpTimeouts} (idle, and a message begun but
 *       not complete: per-loop FIFO lists checked every 250 ms), {@code TcpSlowReaderGuard} (a peer that stops
 *       reading is reset at the write-buffer high-water mark), {@code TcpConnections} (reuse by remote address);
 *       {@link org.sipha.dispatcher.engine.TcpCounters} counts what they refused and closed.</li>
 *   <li>{@link org.sipha.dispatcher.engine.SipProxyServer}: sockets, loops, one handler per loop, counters.</li>
 *   <li>Counters for operators: each loop's {@code RefusalCounters}, {@code TrafficCounters} (requests by method,
 *       responses sent by class, failovers) and {@code DestinationCounters} (per destination, by the index the
 *       selector gave its {@code NextHop}), written by the loop alone and summed for any thread by
 *       {@link org.sipha.dispatcher.engine.EngineCounters}; the metrics binders read them at scrape time.</li>
 * </ul>
 *
 * <h2>Public types</h2>
 * {@link org.sipha.dispatcher.engine.SipProxyServer} (start, drain, counters, close),
 * {@link org.sipha.dispatcher.engine.ProxyConfig} and its builder,
 * {@link org.sipha.dispatcher.engine.DispatcherNextHopSelector},
 * {@link org.sipha.dispatcher.engine.EngineLoops}, {@link org.sipha.dispatcher.engine.IoTransport},
 * {@link org.sipha.dispatcher.engine.SourceAccessList}, {@link org.sipha.dispatcher.engine.ProxyProbeTransport},
 * {@link org.sipha.dispatcher.engine.NanoClock}, {@link org.sipha.dispatcher.engine.TcpCounters},
 * {@link org.sipha.dispatcher.engine.EngineCounters}, {@link org.sipha.dispatcher.engine.Refusal},
 * {@link org.sipha.dispatcher.engine.Failover}; and
 * {@link org.sipha.dispatcher.engine.InMemoryPipeline}, a harness for benchmarks and tests. Destinations are
 * {@link org.sipha.core.model.Destination}s; everything else is package-private.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li><b>One loop, one owner.</b> Each event loop has its own handler, context and layers; every object of
 *   them is used by that loop's thread only, so the message path has no locks and no atomics. The exceptions are
 *   named in each class: the hand-off queue (any loop offers, the owner drains), the call accounting ring (the
 *   loop records, one writer thread drains), and counters and "behind" marks written by the owner and read by any
 *   thread through volatile fields or release/acquire array accesses.</li>
 *   <li><b>Responses find their call without a lookup.</b> A stateful Via is
 *   {@code ;branch=z9hG4bKshS<MAC>;shs=<loop>.<slot>.<generation>.<attempt>}. The kernel spreads datagrams over the
 *   {@code SO_REUSEPORT} sockets by source address, so a response may arrive on another loop: that loop hands the
 *   packet to the owner through a bounded MPSC queue and one reusable drain task. A stale generation or attempt
 *   never touches a reused slot. Requests from one source stay on one loop, so retransmissions, CANCEL and the ACK
 *   of a non-2xx find the call by (Call-ID, upstream branch).</li>
 *   <li><b>Timers without timer objects.</b> A call sits on FIFO lists, each of one duration, so appending keeps
 *   it sorted and a tick every 10 ms expires heads only ({@code CallTable}). Time comes from the configured
 *   {@link org.sipha.dispatcher.engine.NanoClock}, so tests move it by hand.</li>
 *   <li><b>Health signals that do not lie under overload.</b> A silent destination is reported at the first
 *   retransmission and at the failover timer, but not while any loop has fallen behind its own socket (a full read
 *   batch, a late tick). When the routing table changes, INVITEs waiting on a destination no longer usable fail
 *   over at once.</li>
 *   <li><b>Bounded, allocation-free.</b> {@code maxCallsPerLoop} states per loop, created on first need and
 *   reused; the stored INVITE copies are bounded in bytes per loop ({@code maxCallBytesPerLoop}), and one source
 *   ({@code SourceCallCounts}) holds at most {@code maxCallSharePerSourcePercent} of the slots; at any of these
 *   bounds a new call gets 503 + Retry-After. The call index hashes (Call-ID, branch) with a per-process key
 *   ({@code KeyedHash}), so chosen Call-IDs cannot build long chains. The per-source rate table is fixed in size
 *   and evicts the source seen least recently. Messages are edited by splicing and encoded into pooled buffers;
 *   the stored INVITE is a pooled copy, released when the call settles or its loop closes.</li>
 *   <li><b>Counters, not log lines.</b> Refusals (unparseable datagrams, drops by the access list or a rate,
 *   503s at a bound, handling errors) are counted per loop (single writer, read by any thread, summed by
 *   {@link org.sipha.dispatcher.engine.SipProxyServer#refusals}); loop 0's tick logs the counters that moved every
 *   10 s. No message is logged per packet.</li>
 *   <li><b>Every buffer released on every path.</b> What the proxy writes is checked before its buffer is taken
 *   where that is free (a malformed To, a To missing for an ACK), and an encoder that throws releases its buffer;
 *   once written, the socket or the in-memory output owns it. A closed loop ({@code LoopChannelHandler.close},
 *   on its own thread) frees its calls and hand-offs and releases unhandled whatever still reaches it.</li>
 * </ul>
 *
 * <h2>CANCEL across proxies</h2>
 * A stateful branch depends only on the INVITE (Call-ID, CSeq number, top Via branch, the address its responses
 * go to) and the destination, under the Record-Route key; the loop and slot ride beside it in {@code shs}, which
 * destinations echo in responses but do not match CANCELs by. So a proxy that receives a CANCEL matching none of
 * its calls computes, for each destination of its set, the branch the INVITE had or would have had there, sends
 * the CANCEL on it, and answers the caller 200 at the first destination's 200, 481 when all refused it or the
 * failover timer ran out (RFC 3261 9.1, 16.10). Every destination has one branch per call, so this reaches the
 * INVITE after any failover as well. The destination's 487 goes to the proxy that forwarded the INVITE, by its
 * Via. Costs nothing on the INVITE's path (the one branch MAC per attempt it always had); a foreign CANCEL costs
 * one branch MAC and one CANCEL per destination, and one branch MAC per answer.
 *
 * <h2>Known limits</h2>
 * No TLS; a dialog whose two sides use different transports gets one Record-Route (no double record-routing,
 * RFC 5658); TCP writes are flushed per message; no spirals (a request that already carries our Via is a loop,
 * 482); next hops must be IP literals (no DNS on I/O threads); an INVITE retransmitted after its final response is
 * absorbed rather than answered again; a stateless forward towards a second Route entry does not double
 * Record-Route; the TCP idle timeout counts received bytes only (a connection we only write to is idle); a TCP
 * framing error other than the size limit closes the connection without an answer.
 * A destination must answer from the address it was sent to (a multi-homed PBX answering from
 * another address is taken for a forger); the callee side reaches the caller only at the address its INVITE came
 * from (or a configured or admitted one), so a caller whose Contact differs needs the access list to admit it; a
 * stateful branch naming another loop is handed off before its MAC is checked, so forged ones take room in that
 * loop's hand-off queue.
 * The per-source limits are per loop: the kernel spreads UDP by source address and port, so a source
 * sending from several ports may meet several loops' buckets; an IPv6 source's key costs one 16-byte copy per
 * request. A malformed request, or an in-dialog one with a bad token, is still answered (400, 403) whatever its
 * source, within its source's request rate.
 * A CANCEL across proxies: works for callers over UDP (over TCP the caller's port differs between its connections
 * to two proxies, and the branch covers it); the CANCEL's Via names this proxy, so a destination that matches a
 * CANCEL by its Via's sent-by as well as its branch (RFC 3261 17.2.3 to the letter) needs every proxy to advertise
 * the same address; a destination must echo Via parameters in its responses (RFC 3261 8.2.6.2); if the proxy that
 * forwarded the INVITE is gone, its 487 is lost (the callee stops ringing, the caller times out); an unknown CANCEL
 * costs every destination of the set a CANCEL (and a 481).
 * A call whose state is dropped without a final answer (its loop closed, or its handling failed) records no
 * OUTCOME; a STOP is recorded when the BYE is routed, not when it is answered.
 */
package org.sipha.dispatcher.engine;
