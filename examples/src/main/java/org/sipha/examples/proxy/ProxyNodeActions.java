package org.sipha.examples.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.sipha.admin.ActionResult;
import org.sipha.admin.NodeActions;
import org.sipha.admin.StateChange;
import org.sipha.admin.StateChangeLog;
import org.sipha.core.model.DestinationState;
import org.sipha.health.AdminState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference proxy's operator actions, through the controls its parts already have: a destination's admin
 * state through health checking ({@code HealthMonitor.setAdminState}, which the routing table follows) or, without
 * health checking, the routing table's own ({@code setAdminDisabled}, on its writer thread); the node's drain as on
 * SIGTERM (out of anycast first, then 503 to new calls); the reload through {@link DestinationListReload}. Each
 * returns once the routing table shows the change (bounded wait). Called by the admin endpoint one at a time.
 */
final class ProxyNodeActions implements NodeActions {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyNodeActions.class);
    private static final long APPLY_TIMEOUT_MS = 3_000;

    private final AdminWiring.Parts parts;
    private final DestinationListReload reload;
    private final StateChangeLog log;
    /** Without health checking: what the operator asked of each destination (shown as the admin state). */
    private final Map<String, String> operatorStates = new ConcurrentHashMap<>();

    private volatile boolean nodeDrained;

    ProxyNodeActions(AdminWiring.Parts parts, DestinationListReload reload, StateChangeLog log) {
        this.parts = parts;
        this.reload = reload;
        this.log = log;
    }

    /** True once an operator drained the node. Any thread. */
    boolean nodeDrained() {
        return nodeDrained;
    }

    /** The operator's say on {@code id} when health checking does not keep it: enabled, disabled or draining. */
    String operatorState(String id) {
        return operatorStates.getOrDefault(id, "enabled");
    }

    @Override
    public ActionResult destination(String id, DestinationCommand command) {
        DestinationState before = parts.owner().table().state(id);
        if (before == null) {
            return ActionResult.refused(404, "no destination " + id + " in the routing table");
        }
        boolean enable = command == DestinationCommand.ENABLE;
        try {
            if (parts.health() != null) {
                AdminState s = switch (command) {
                    case ENABLE -> AdminState.ENABLED;
                    case DISABLE -> AdminState.DISABLED;
                    case DRAIN -> AdminState.DRAINING;
                };
                if (!parts.health().monitor().setAdminState(id, s)) {
                    return ActionResult.refused(503, "health checking's command queue is full; try again");
                }
            } else {
                operatorStates.put(id, word(command));
            }
            if (enable || parts.health() == null) { // also lifts a disable from the dispatcher.list's flags
                parts.writer()
                        .submit(o -> o.setAdminDisabled(id, !enable))
                        .get(APPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (IllegalArgumentException e) {
            return ActionResult.refused(409, id + ": " + e.getMessage());
        } catch (ExecutionException | TimeoutException e) {
            return ActionResult.refused(503, id + ": the routing table's writer did not apply it: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionResult.refused(503, "interrupted");
        }
        boolean applied = await(() -> (parts.owner().table().state(id) == DestinationState.DISABLED) != enable);
        DestinationState after = parts.owner().table().state(id);
        log.record(new StateChange(
                System.currentTimeMillis(), id, word(before.name()), word(command), "operator: " + word(command)));
        String what = switch (command) {
            case ENABLE -> "enabled: health checking decides again";
            case DISABLE -> "disabled: no new calls; calls in progress and dialogs go on";
            case DRAIN -> "draining: no new calls while the calls in progress finish";
        };
        return applied
                ? new ActionResult(
                        200, id + " " + what + " (routing state " + word(after.name()) + ")", true, List.of())
                : new ActionResult(202, id + " " + what + "; not yet in the routing table", true, List.of());
    }

    @Override
    public ActionResult drainNode() {
        if (nodeDrained) {
            return new ActionResult(200, "the node is already draining", false, List.of());
        }
        nodeDrained = true;
        log.record(new StateChange(System.currentTimeMillis(), "node", "taking calls", "draining", "operator: drain"));
        SiteNode site = parts.site();
        if (site == null) {
            parts.server().drain();
            return ActionResult.done("draining: new calls get 503; "
                    + parts.server().activeCalls() + " call(s) in flight go on; stop the process when they are done");
        }
        Thread t = new Thread(
                () -> {
                    try {
                        site.leaveAnycast("drained by the operator");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        parts.server().drain();
                        LOG.info("node drained: out of anycast, new calls get 503");
                    }
                },
                "sipha-admin-drain");
        t.setDaemon(true);
        t.start();
        return new ActionResult(
                202,
                "draining: " + site.prefix() + " is announced drained, then withdrawn; then new calls get 503",
                true,
                List.of());
    }

    @Override
    public ActionResult reload(boolean dryRun) {
        return reload.run(dryRun);
    }

    private static boolean await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPLY_TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static String word(DestinationCommand c) {
        return switch (c) {
            case ENABLE -> "enabled";
            case DISABLE -> "disabled";
            case DRAIN -> "draining";
        };
    }

    private static String word(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }
}
