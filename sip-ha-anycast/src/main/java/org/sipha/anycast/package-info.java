/**
 * Announce and withdraw the anycast prefix through real routing daemons, driven by health, with a dead-man
 * switch.
 *
 * <h2>Threads and ownership</h2>
 * <ul>
 *   <li><b>Decision thread</b> ({@link org.sipha.anycast.AnycastController}): the single writer. It owns the
 *       state machine, the {@link org.sipha.anycast.RouteAnnouncer} and the heartbeat. Every input from another
 *       thread (probe results, destinations-up counts, quorum, admin) is a command on its bounded inbox.</li>
 *   <li><b>Probe thread</b> ({@link org.sipha.anycast.ProxyProbeLoop}): blocks on the network, never decides.</li>
 *   <li><b>Check thread</b> ({@code CommandCheckLoop}, standalone watchdog only): waits for the check command,
 *       reports a destinations-up count, never decides.</li>
 *   <li><b>Relay process</b> ({@link org.sipha.anycast.DeadManRelayMain}): outside this JVM on purpose. It holds
 *       its own connection to the daemon and withdraws on EOF of the heartbeat pipe (we died) or after a silence
 *       (we hang). Why not inside the daemon's session: an operator's BIRD must survive our restarts, and a
 *       stopped JVM keeps its sockets open, so only a heartbeat sees a hang.</li>
 *   <li><b>Our own speaker</b> ({@link org.sipha.anycast.ChildBgpSpeaker}, optional): a BIRD run as this JVM's
 *       child under a parent-death signal, for a node whose announcement must not outlive it even when the JVM
 *       and its relay are killed together: the speaker dies too and its BGP sessions close.</li>
 * </ul>
 *
 * <h2>Why reconcile</h2>
 * The daemon's state is read back every reconcile period and the decision re-applied when they differ: a BIRD
 * that restarts comes back with the prefix disabled (its config says {@code disabled yes}), and the relay may
 * have withdrawn during a stall. Announcers are therefore idempotent.
 *
 * <h2>Why parse reply codes</h2>
 * BIRD's control socket answers every command with 4-digit codes; success is decided from those codes
 * ({@code 0008-0011} for disable/enable), never from the absence of an exception.
 */
package org.sipha.anycast;
