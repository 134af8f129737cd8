package org.sipha.examples.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sipha.admin.ActionResult;
import org.sipha.admin.StateChange;
import org.sipha.admin.StateChangeLog;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingDiff;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.health.HealthChecking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the destinations from the proxy's dispatcher.list: reads and validates the whole file first (syntax, the
 * route set, addresses the engine can reach; an address listed twice keeps its last entry, as at start), works out the diff against the routing table in use, and
 * unless it is a dry run applies it: health checking takes the new members first (new ones are probed at once,
 * kept ones keep their health), then the routing table switches in one snapshot, keeping every kept destination's
 * state, calls and statistics. An invalid file changes nothing and says why. Calls in progress are untouched: a
 * removed destination gets no new calls, and its dialogs still route by their Record-Route token.
 *
 * <p>What a reload does not change: the engine's list of addresses exempt from the source rate limits (the
 * destinations at start), and the site node's minimum of usable backends. Threading: {@link #run} from any
 * thread, one at a time (admin endpoint, SIGHUP).
 */
final class DestinationListReload {
    private static final Logger LOG = LoggerFactory.getLogger(DestinationListReload.class);
    private static final long APPLY_TIMEOUT_MS = 5_000;

    private final ProxyOptions started;
    private final RoutingTableWriter writer;
    private final HealthChecking health;
    private final StateChangeLog log;
    private final Path file;
    private volatile long version = 1;

    /** @param health null without health checking */
    DestinationListReload(ProxyOptions started, RoutingTableWriter writer, HealthChecking health, StateChangeLog log) {
        this.started = started;
        this.writer = writer;
        this.health = health;
        this.log = log;
        this.file = singleListFile(started);
    }

    /** The one dispatcher.list the destinations came from, or null if they came from elsewhere too. */
    private static Path singleListFile(ProxyOptions o) {
        if (o.dispatcherListFiles.size() != 1 || o.galeraConfig.enabled()) {
            return null;
        }
        for (Destination d : o.backends) {
            if (!o.listed.containsKey(ProxyOptions.addressKey(d))) {
                return null; // also a --backend
            }
        }
        return o.dispatcherListFiles.get(0);
    }

    /** Whether the destinations come from one dispatcher.list, which {@link #run} can read again. */
    boolean reloadable() {
        return file != null;
    }

    /** 1 as started, one more for every reload applied. Any thread. */
    long version() {
        return version;
    }

    /** Where the destinations come from, for people. */
    String source() {
        return file != null
                ? file.toString()
                : started.galeraConfig.enabled()
                        ? "the configuration in Galera (push a new version: config push)"
                        : started.dispatcherListFiles.isEmpty()
                                ? "the command line (--backend)"
                                : "several sources (dispatcher.list files and --backend)";
    }

    /** Reads the file again and applies it (or, {@code dryRun}, only says what it would change). */
    synchronized ActionResult run(boolean dryRun) {
        if (file == null) {
            return ActionResult.refused(
                    409, "nothing to reload: the destinations come from " + source() + "; restart to change them");
        }
        ProxyOptions next = new ProxyOptions();
        next.algorithm = started.algorithm;
        next.routeSet = started.routeSet;
        next.callHoldSeconds = started.callHoldSeconds;
        DispatcherConfig config;
        List<Destination> destinations;
        try {
            next.backends.addAll(next.dispatcherList(file, "reload"));
            destinations = ReferenceProxy.destinations(next);
            config = ReferenceProxy.dispatcherConfig(next, destinations, next.listedStates);
        } catch (IllegalArgumentException e) {
            return ActionResult.refused(400, "invalid, nothing changed: " + e.getMessage());
        }
        try {
            RoutingDiff diff = writer.submit(o -> o.diff(config)).get(APPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<String> changes = lines(diff);
            if (dryRun || diff.isEmpty()) {
                return new ActionResult(
                        200,
                        (dryRun ? "dry run: " : "") + (diff.isEmpty() ? "no change" : changes.size() + " change(s)")
                                + " against " + file,
                        false,
                        changes);
            }
            if (health != null) {
                health.replaceDestinations(destinations).get(APPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            writer.reload(config).get(APPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long v = ++version;
            for (RoutingDiff.DestinationChange c : diff.destinationChanges(RoutingDiff.Kind.REMOVED)) {
                log.forget(c.id());
            }
            String summary = summary(diff);
            log.record(new StateChange(System.currentTimeMillis(), "config", "v" + (v - 1), "v" + v, summary));
            LOG.info("destinations reloaded from {} (config version {}): {}", file, v, diff);
            return new ActionResult(200, "applied config version " + v + ": " + summary, true, changes);
        } catch (ExecutionException e) {
            return ActionResult.refused(
                    400, "invalid, nothing changed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            return ActionResult.refused(503, "the routing table's writer or health thread did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionResult.refused(503, "interrupted");
        }
    }

    private static List<String> lines(RoutingDiff diff) {
        List<String> out = new ArrayList<>();
        diff.setChanges().forEach(c -> out.add(c.toString()));
        for (RoutingDiff.DestinationChange c : diff.destinationChanges()) {
            Destination d = c.after() != null ? c.after() : c.before();
            out.add(
                    c.kind() == RoutingDiff.Kind.CHANGED
                            ? c.toString()
                            : c.kind() + " set " + c.setId() + " destination " + c.id() + " (" + d.uri() + ", weight "
                                    + d.weight() + ", priority " + d.priority() + ")");
        }
        diff.adminChanges().forEach(c -> out.add(c.toString()));
        return out;
    }

    private static String summary(RoutingDiff diff) {
        return "+" + diff.destinationChanges(RoutingDiff.Kind.ADDED).size() + " -"
                + diff.destinationChanges(RoutingDiff.Kind.REMOVED).size() + " ~"
                + diff.destinationChanges(RoutingDiff.Kind.CHANGED).size() + " destination(s)"
                + (diff.adminChanges().isEmpty()
                        ? ""
                        : ", " + diff.adminChanges().size() + " disabled/enabled");
    }
}
