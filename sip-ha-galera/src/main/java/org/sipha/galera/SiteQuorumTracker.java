package org.sipha.galera;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns poll results, canary results and routing-layer demotions into per-node up/down verdicts with
 * hysteresis, and a site quorum state; publishes a {@link ClusterView} and {@link GaleraEvent}s.
 *
 * <p>Threading: single writer. Every {@code on*} method and {@link #demote} must be called from one thread (the
 * client's event thread); {@link #view()} may be read from any thread. Listeners run on the writer thread.
 *
 * <p>A poll is a good observation only when all of these hold (the reason of the first failing one is kept):
 * <ol>
 *   <li>the node answered within the poll timeout;</li>
 *   <li>Primary, {@code wsrep_ready=ON}, Synced (or Donor when allowed);</li>
 *   <li><b>majority-of-voters guard</b>: {@code cluster_size * 2 > voters}, so an island that was bootstrapped
 *   by accident (Primary, size 1) is refused;</li>
 *   <li>the state UUID is the expected one (configured, or pinned from the first good majority observation);</li>
 *   <li><b>peer cross-check</b>: no other node in a majority component with the same state UUID reports a newer
 *   {@code wsrep_cluster_conf_id}. A node resumed after SIGSTOP keeps reporting Primary/Synced/size 4 for
 *   seconds while its peers have already evicted it; its conf_id is then older than theirs;</li>
 *   <li>the commit canary of that node has not failed since its last success.</li>
 * </ol>
 *
 * <p><b>Proof of membership before trust.</b> With the canary enabled, a node that is down becomes up only
 * when, besides {@code riseCount} good polls, a canary commit that <em>started after</em> its last bad
 * observation has succeeded. Reason: when every node was frozen together (or all resume from SIGSTOP at
 * once), each still reports Primary/Synced/size 4 with the same old conf_id for seconds, so there is no
 * healthy peer to cross-check against; only a commit proves the node is in a Primary Component. Observed on
 * the test cluster: 2 s of such false Primary after SIGCONT.
 */
final class SiteQuorumTracker {
    private static final Logger LOG = LoggerFactory.getLogger(SiteQuorumTracker.class);

    private final GaleraClientConfig config;
    private final List<GaleraNode> nodes;
    private final NodeStatus[] last;
    private final String[] canaryFailure;
    private final long[] lastBadNanos;
    private final long[] canaryOkStartNanos;
    private final boolean canaryEnabled;
    private final boolean[] up;
    private final int[] goodRun;
    private final int[] badRun;
    private final String[] reason;
    private final long staleAfterNanos;
    /** When {@link #expireStale} last ran, once {@link #staleChecked}. */
    private long lastStaleCheckNanos;

    private boolean staleChecked;
    /** Silence is counted from here at the earliest: the end of the last pause of this process. */
    private long resumedAtNanos;

    private final List<GaleraEventListener> listeners = new CopyOnWriteArrayList<>();
    private String pinnedUuid;
    private boolean siteQuorate;
    private volatile ClusterView view;

    SiteQuorumTracker(GaleraClientConfig config) {
        this.config = config;
        this.nodes = config.nodes();
        int n = nodes.size();
        this.last = new NodeStatus[n];
        this.canaryFailure = new String[n];
        this.lastBadNanos = new long[n];
        this.canaryOkStartNanos = new long[n];
        this.canaryEnabled = config.canaryIntervalMs() > 0;
        long now = System.nanoTime();
        java.util.Arrays.fill(lastBadNanos, now);
        this.resumedAtNanos = now;
        java.util.Arrays.fill(canaryOkStartNanos, now - 1);
        this.up = new boolean[n];
        this.goodRun = new int[n];
        this.badRun = new int[n];
        this.reason = new String[n];
        java.util.Arrays.fill(reason, "not polled yet");
        this.pinnedUuid = config.expectedStateUuid();
        this.staleAfterNanos =
                TimeUnit.MILLISECONDS.toNanos(3L * config.pollIntervalMs() + 2L * config.pollTimeoutMs());
        publish();
    }

    ClusterView view() {
        return view;
    }

    boolean siteQuorate() {
        return view.siteQuorate();
    }

    void addListener(GaleraEventListener l) {
        listeners.add(l);
    }

    /** One poll result for one node: one observation for the hysteresis of that node. */
    void onStatus(NodeStatus s) {
        int i = indexOf(s.node().name());
        last[i] = s;
        String bad = judge(i, s.polledAtNanos());
        if (bad == null && !up[i] && canaryEnabled && canaryOkStartNanos[i] - lastBadNanos[i] <= 0) {
            // looks good, but not proven by a commit since it was last bad: neither good nor bad
            goodRun[i] = 0;
            reason[i] = s.node().name() + ": awaiting a commit canary success (" + s.summary() + ")";
            afterChange();
            return;
        }
        if (bad == null) {
            badRun[i] = 0;
            goodRun[i]++;
            reason[i] = s.summary();
            if (!up[i] && goodRun[i] >= config.riseCount()) {
                up[i] = true;
                fire(new GaleraEvent.NodeUp(nodes.get(i), reason[i], System.nanoTime()));
            }
        } else {
            lastBadNanos[i] = s.polledAtNanos();
            goodRun[i] = 0;
            badRun[i]++;
            reason[i] = bad;
            if (up[i] && badRun[i] >= config.fallCount()) {
                up[i] = false;
                fire(new GaleraEvent.NodeDown(nodes.get(i), bad, System.nanoTime()));
            }
        }
        afterChange();
    }

    /**
     * A commit canary result: {@code failure == null} means the heartbeat commit succeeded in time.
     *
     * @param startedAtNanos {@link System#nanoTime()} when that canary commit was started
     */
    void onCanary(String nodeName, String failure, long startedAtNanos) {
        int i = indexOf(nodeName);
        canaryFailure[i] = failure;
        if (failure == null) {
            canaryOkStartNanos[i] = startedAtNanos;
        }
        if (failure != null && up[i]) {
            // a commit that hangs past the canary timeout is proof enough: no hysteresis
            demoteIndex(i, "commit canary: " + failure);
        }
    }

    /**
     * Demotes every up node whose latest poll result is older than 3 poll intervals plus 2 poll timeouts: its poll
     * thread died (an Error ends a scheduled task silently) or hangs, and a last good answer proves nothing now.
     * A gap that long between two checks means this process itself was stopped (SIGSTOP, a long GC pause), and its
     * pollers with it: silence is then counted from the resume, so the nodes get a fresh poll before a verdict.
     */
    void expireStale(long nowNanos) {
        if (staleChecked && nowNanos - lastStaleCheckNanos >= staleAfterNanos) {
            resumedAtNanos = nowNanos;
            LOG.warn(
                    "no staleness check for {} ms: this process was paused; counting poll silence from now",
                    TimeUnit.NANOSECONDS.toMillis(nowNanos - lastStaleCheckNanos));
        }
        lastStaleCheckNanos = nowNanos;
        staleChecked = true;
        for (int i = 0; i < last.length; i++) {
            if (up[i] && last[i] != null && nowNanos - silentSince(i) >= staleAfterNanos) {
                long silentMs = TimeUnit.NANOSECONDS.toMillis(nowNanos - last[i].polledAtNanos());
                String why =
                        nodes.get(i).name() + ": no poll result for " + silentMs + " ms (poll thread dead or stuck)";
                LOG.error("{}", why);
                demoteIndex(i, why);
            }
        }
    }

    private long silentSince(int i) {
        long polled = last[i].polledAtNanos();
        return resumedAtNanos - polled > 0 ? resumedAtNanos : polled;
    }

    /** The routing layer saw an error that proves the node unusable (1047, connection loss): down at once. */
    void demote(String nodeName, String why) {
        demoteIndex(indexOf(nodeName), why);
    }

    private void demoteIndex(int i, String why) {
        lastBadNanos[i] = System.nanoTime();
        goodRun[i] = 0;
        reason[i] = why;
        if (up[i]) {
            up[i] = false;
            fire(new GaleraEvent.NodeDown(nodes.get(i), why, System.nanoTime()));
        }
        afterChange();
    }

    /** @return {@code null} when node i's latest observation is good, else the reason it is not. */
    private String judge(int i, long nowNanos) {
        NodeStatus s = last[i];
        if (!s.reachable()) {
            return s.summary();
        }
        if (!s.isPrimary()) {
            return s.node().name() + ": " + s.clusterStatus();
        }
        if (!s.ready()) {
            return s.node().name() + ": wsrep_ready=OFF";
        }
        if (s.localState() != NodeStatus.STATE_SYNCED
                && !(config.allowDonor() && s.localState() == NodeStatus.STATE_DONOR)) {
            return s.node().name() + ": " + s.localStateComment();
        }
        if (!isMajority(s)) {
            return s.node().name() + ": component of " + s.clusterSize() + " is not a majority of " + config.voters()
                    + " voters";
        }
        if (pinnedUuid == null) {
            pinnedUuid = s.stateUuid();
            LOG.info("pinned cluster state UUID {} (from {})", pinnedUuid, s.summary());
        } else if (!pinnedUuid.equals(s.stateUuid())) {
            return s.node().name() + ": unexpected state UUID " + s.stateUuid() + " (expected " + pinnedUuid + ")";
        }
        for (int j = 0; j < last.length; j++) {
            NodeStatus p = last[j];
            if (j != i
                    && p != null
                    && p.isPrimary()
                    && isMajority(p)
                    && nowNanos - p.polledAtNanos() < staleAfterNanos
                    && p.stateUuid().equals(s.stateUuid())
                    && p.confId() > s.confId()) {
                return s.node().name() + ": stale membership view (conf_id " + s.confId() + " < "
                        + p.node().name() + "'s " + p.confId() + ")";
            }
        }
        if (canaryFailure[i] != null) {
            return s.node().name() + ": commit canary: " + canaryFailure[i];
        }
        return null;
    }

    private boolean isMajority(NodeStatus s) {
        return s.clusterSize() * 2 > config.voters();
    }

    private void afterChange() {
        boolean anyUp = false;
        for (boolean u : up) {
            anyUp |= u;
        }
        if (anyUp != siteQuorate) {
            siteQuorate = anyUp;
            StringBuilder why = new StringBuilder();
            for (int i = 0; i < nodes.size(); i++) {
                why.append(i == 0 ? "" : "; ").append(reason[i]);
            }
            fire(new GaleraEvent.SiteQuorumChanged(anyUp, why.toString(), System.nanoTime()));
        }
        publish();
    }

    private void publish() {
        List<ClusterView.NodeView> views = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            views.add(new ClusterView.NodeView(nodes.get(i), up[i], reason[i], last[i]));
        }
        view = new ClusterView(List.copyOf(views), siteQuorate, config.localNode());
    }

    private void fire(GaleraEvent e) {
        LOG.info("{}", e);
        // publish first so a listener reading view() sees the state the event announces
        publish();
        for (GaleraEventListener l : listeners) {
            try {
                l.onGaleraEvent(e);
            } catch (RuntimeException ex) {
                LOG.warn("listener {} failed on {}", l, e, ex);
            }
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown node " + name);
    }
}
