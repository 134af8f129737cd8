/**
 * A Galera-aware quorum client: which database node may take writes now, whether this site is quorate at all,
 * a routing {@link javax.sql.DataSource} that acts on it, and a CDR writer that loses nothing meanwhile, which
 * also stores the forwarding engine's call accounting ({@link org.sipha.galera.CallAccountingWriter},
 * {@link org.sipha.galera.OpenCalls}).
 *
 * <h2>Why status variables, and which ones</h2>
 * A node that lost quorum still answers COM_PING, {@code SELECT 1} and {@code Connection.isValid()}; only its
 * {@code wsrep_*} status says it refuses application traffic (writes and InnoDB reads fail with 1047).
 * {@link org.sipha.galera.GaleraQuorumClient} polls {@code wsrep_cluster_status}, {@code wsrep_ready},
 * {@code wsrep_local_state}, {@code wsrep_cluster_size}, {@code wsrep_cluster_state_uuid},
 * {@code wsrep_cluster_conf_id} and {@code wsrep_flow_control_paused} over a dedicated connection per node
 * whose socket timeout is the poll timeout, so a frozen server cannot stall the poller.
 *
 * <h2>Not trusting a node's word alone</h2>
 * The verdict rules are in {@link org.sipha.galera.SiteQuorumTracker}: Primary + ready + Synced, a component
 * holding a majority of the configured voters (refuses an accidentally bootstrapped island), the expected
 * state UUID, a membership view ({@code conf_id}) no older than a majority peer's, a commit canary that does
 * not hang, and, to come back up, a canary commit started after the node was last seen bad. The last two catch
 * a node resumed from SIGSTOP, which reports Primary/Synced/size 4 for seconds while it is not in the cluster.
 *
 * <h2>Threads</h2>
 * One poll thread and one canary thread per node own that node's connections; they hand results to one event
 * thread, the single writer of the tracker, which publishes an immutable {@link org.sipha.galera.ClusterView}
 * (readers do one volatile load) and calls listeners in order. The routing data source and the CDR writer may be
 * used from any thread.
 *
 * <h2>Errors</h2>
 * {@link org.sipha.galera.SqlErrorClassifier}: 1047/08S01/1180/link loss demote the node at once and the unit
 * of work moves on; 1213/40001/1205 rerun the whole unit after jittered backoff; a link lost during COMMIT is
 * resolved by the caller's {@link org.sipha.galera.CommitProbe} (idempotency key), else reported as
 * {@link org.sipha.galera.CommitOutcomeUnknownException}.
 *
 * <h2>Hooks for the SIP side and anycast</h2>
 * {@link org.sipha.galera.GaleraQuorumClient} implements {@link org.sipha.core.spi.SiteQuorumSignal}: the proxy
 * can answer new calls with 503 + Retry-After while the site is not quorate, and the anycast module can
 * withdraw the route. Which of the two to do is the wiring's choice (examples), not this module's.
 */
package org.sipha.galera;
