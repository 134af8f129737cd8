package org.sipha.examples.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.sipha.anycast.AnnouncerException;
import org.sipha.anycast.AnycastController;
import org.sipha.anycast.AnycastState;
import org.sipha.anycast.AnycastStatus;
import org.sipha.anycast.ChildBgpSpeaker;
import org.sipha.anycast.DeadManSwitch;
import org.sipha.anycast.RouteAnnouncement;
import org.sipha.core.spi.DestinationsUpListener;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.health.HealthChecking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference proxy as a site node: it announces its site's anycast prefix through an {@link AnycastController}
 * only while it can take calls, and takes the site out of anycast by itself. The wiring, all through core SPI
 * types and the controller's inputs:
 * <ul>
 *   <li>health checking's usable-backend count ({@link DestinationsUpListener}): fewer than K drains, then
 *       withdraws;</li>
 *   <li>the Galera site quorum listener: no quorum drains, then withdraws;</li>
 *   <li>{@link NodeSelfCheck} as the controller's proxy probe: a stuck event loop, a dead health thread, no usable
 *       backend or calls refused for lost quorum withdraw at once;</li>
 *   <li>the maintenance file, and {@link #leaveAnycast} on SIGTERM: drain, then withdraw;</li>
 *   <li>the controller's dead-man relay: a killed or hung JVM is withdrawn by the relay process;</li>
 *   <li>with {@code --bird-config}, the announcing BIRD is this JVM's child ({@link ChildBgpSpeaker}): killed with
 *       the node, or with the node's whole group (relay included), it takes its BGP sessions along.</li>
 * </ul>
 *
 * <p>Threading: {@link #prepare}, {@link #start}, {@link #leaveAnycast()} and {@link #close} from the proxy's main
 * thread; {@link #leaveAnycast(String)} also from the admin endpoint's drain thread; {@link #status} and
 * {@link #prefix} any thread; {@link #onDestinationsUp} from the health thread; the controller's own decision thread
 * does the rest. Nothing here is on the message path.
 */
final class SiteNode implements DestinationsUpListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiteNode.class);
    private static final long WITHDRAW_MARGIN_MS = 5_000;
    private static final long SPEAKER_START_MS = 20_000;

    private final SiteNodeOptions.Settings settings;
    private final AnycastController controller;
    /** Null when the node drives a BIRD that runs on its own. */
    private final ChildBgpSpeaker speaker;

    private volatile int usableBackends = -1;
    private NodeSelfCheck selfCheck;
    private boolean started;

    private SiteNode(SiteNodeOptions.Settings settings, AnycastController controller, ChildBgpSpeaker speaker) {
        this.settings = settings;
        this.controller = controller;
        this.speaker = speaker;
    }

    /**
     * The site node the options ask for, built but not running, or null without {@code --anycast}.
     *
     * @throws IllegalArgumentException naming the option if one is wrong
     */
    static SiteNode prepare(ProxyOptions o) {
        if (!o.siteNode.given()) {
            return null;
        }
        SiteNodeOptions.Settings s =
                o.siteNode.resolve(o.health, ReferenceProxy.destinations(o).size());
        DeadManSwitch deadMan = s.deadManSwitch();
        if (deadMan == DeadManSwitch.NONE) {
            LOG.warn(
                    "--deadman-timeout-ms 0: no dead-man relay; if this JVM is killed or hangs, {} stays announced",
                    s.prefix());
        }
        AnycastController controller = new AnycastController(
                s.anycast()
                        .config()
                        .minDestinationsUp(s.minBackends())
                        .requireQuorum(!o.galeraNodes.isEmpty())
                        .build(),
                s.anycast().announcer(),
                deadMan);
        return new SiteNode(s, controller, s.anycast().speaker());
    }

    /** Health thread: the usable-backend count, for the controller (K) and the self-check (none). */
    @Override
    public void onDestinationsUp(int upCount, int totalCount) {
        usableBackends = upCount;
        controller.onDestinationsUp(upCount, totalCount);
    }

    /**
     * Starts the node's own BGP speaker (if any), arms the dead-man relay and starts the decision thread, which
     * keeps the prefix withdrawn until {@link #start} feeds it passing self-checks. Call before the warm-up, so
     * these run while it does.
     *
     * @throws IllegalStateException if BIRD cannot run or the relay cannot be armed (e.g. the routing daemon is not
     *     reachable)
     */
    void startAnnouncer() {
        if (speaker != null) {
            try {
                speaker.start(SPEAKER_START_MS);
            } catch (AnnouncerException e) {
                throw new IllegalStateException("--bird-config: cannot run BIRD: " + e.getMessage(), e);
            }
        }
        try {
            controller.start();
        } catch (AnnouncerException e) {
            throw new IllegalStateException("--anycast: cannot arm the dead-man relay: " + e.getMessage(), e);
        }
        started = true;
    }

    /**
     * Starts the self-check, which lets the decision announce. Call after {@link #startAnnouncer}, once the proxy is
     * bound and its health checking and quorum client run.
     *
     * @param health null without health checking
     * @param probeRoundsMs how long health checking takes to find a dead backend (its fall count of probes)
     * @param quorum null without a Galera cluster
     * @param refuseOnQuorumLoss whether the proxy answers new calls 503 while the site has no quorum
     */
    void start(
            EngineLoops loops,
            HealthChecking health,
            long probeRoundsMs,
            QuorumWiring quorum,
            boolean refuseOnQuorumLoss) {
        if (!started) {
            throw new IllegalStateException("SiteNode.start before startAnnouncer");
        }
        if (quorum != null) {
            quorum.addListener(c -> controller.onSiteQuorum(c.quorate(), c.reason()));
        }
        List<Executor> executors = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            int loop = i;
            executors.add(task -> loops.execute(loop, task));
        }
        selfCheck = new NodeSelfCheck(
                executors,
                health == null ? null : () -> health.snapshot().timeNs(),
                health == null ? null : () -> usableBackends,
                health == null ? null : settled(health, probeRoundsMs),
                () -> quorum != null && refuseOnQuorumLoss && !quorum.isQuorate(),
                settings.livenessIntervalMs(),
                settings.livenessTimeoutMs(),
                System::nanoTime,
                controller::onProxyProbe,
                () -> controller.setAdminDisabled(true, "the site self-check thread died"));
        selfCheck.start();
        LOG.info(
                "site node: announcing {} while this proxy can take calls (at least {} usable backend(s){}; "
                        + "event loops checked every {} ms, timeout {} ms), through {}",
                settings.prefix(),
                settings.minBackends(),
                quorum == null ? "" : ", site quorum",
                settings.livenessIntervalMs(),
                settings.livenessTimeoutMs(),
                settings.anycast().announcerSpec());
    }

    /**
     * True once every backend has answered a probe or {@code probeRoundsMs} have passed: health checking counts a
     * backend as up until its probes fail, so before that its count would announce a site whose backends are dead.
     */
    private static BooleanSupplier settled(HealthChecking health, long probeRoundsMs) {
        long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeRoundsMs);
        return () -> System.nanoTime() - untilNs >= 0
                || health.snapshot().destinations().values().stream()
                        .allMatch(d -> d.probeLatency().count() > 0);
    }

    /**
     * Planned stop: announces the prefix drain-marked for the drain time, then withdraws it, while the proxy
     * still takes calls; returns once the withdrawal is applied (bounded: drain time plus 5 s).
     */
    void leaveAnycast() throws InterruptedException {
        leaveAnycast("planned stop (SIGTERM)");
    }

    /**
     * As {@link #leaveAnycast()}, for {@code cause} (e.g. an operator's drain, on a thread of its own). It may
     * overlap the SIGTERM path's call: both only command the controller and read its status.
     */
    void leaveAnycast(String cause) throws InterruptedException {
        long t0 = System.nanoTime();
        controller.setAdminDisabled(true, cause);
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(settings.anycast().drainMs() + WITHDRAW_MARGIN_MS);
        AnycastStatus s = controller.status();
        while (!(s.state() == AnycastState.DISABLED && s.applied() == RouteAnnouncement.WITHDRAW)
                && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            s = controller.status();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (s.applied() == RouteAnnouncement.WITHDRAW) {
            LOG.info(
                    "site node: {} withdrawn {} ms after the stop began (drained first if it was announced)",
                    settings.prefix(),
                    ms);
        } else {
            LOG.warn(
                    "site node: withdrawal of {} not confirmed after {} ms (state {}, applied {}); stopping anyway",
                    settings.prefix(),
                    ms,
                    s.state(),
                    s.applied());
        }
    }

    /** What it would announce, and through what: for {@code --check}. */
    String describe() {
        return settings.prefix() + " with at least " + settings.minBackends() + " usable backend(s), through "
                + settings.anycast().announcerSpec()
                + (settings.anycast().deadmanTimeoutMs() > 0 ? ", dead-man relay on" : ", no dead-man relay");
    }

    /** The anycast prefix this node announces. */
    String prefix() {
        return settings.prefix();
    }

    /** The decision's latest snapshot. Any thread. */
    AnycastStatus status() {
        return controller.status();
    }

    /** Stops the self-check, withdraws, disarms the relay, then stops the node's own BIRD. Before the loops stop. */
    @Override
    public void close() {
        if (selfCheck != null) {
            selfCheck.close();
        }
        if (started) {
            controller.close();
        }
        if (speaker != null) {
            speaker.close();
        }
    }
}
