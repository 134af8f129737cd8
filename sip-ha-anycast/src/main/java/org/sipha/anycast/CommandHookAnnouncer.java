package org.sipha.anycast;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Calls a user script for anything no built-in announcer covers.
 *
 * <p>Contract with the script:
 * <ul>
 *   <li>{@code script announce|drain|withdraw}: make it so; exit 0 on success, anything else is a failure
 *       that will be retried.</li>
 *   <li>{@code script status}: print {@code announce}, {@code drain} or {@code withdraw} on the first line of
 *       stdout and exit 0; exit 3 (or print nothing) if the script cannot tell, in which case reconciliation
 *       re-applies the desired state every reconcile period instead.</li>
 * </ul>
 * The script gets no stdin; its output (stdout and stderr) is capped at 64 KiB; it is killed after the timeout.
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}); each call blocks for the script's run time.
 */
public final class CommandHookAnnouncer implements RouteAnnouncer {

    private final Path script;
    private final long timeoutMs;

    public CommandHookAnnouncer(Path script, long timeoutMs) {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be > 0: " + timeoutMs);
        }
        this.script = script;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String name() {
        return "hook:" + script;
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        BoundedCommand.Result r = run(target.name().toLowerCase(Locale.ROOT));
        if (r.exitCode() != 0) {
            throw new AnnouncerException("hook " + script + " " + target.name().toLowerCase(Locale.ROOT) + " exited "
                    + r.exitCode() + ": " + r.output().strip());
        }
    }

    @Override
    public Optional<RouteAnnouncement> observe() throws AnnouncerException {
        BoundedCommand.Result r = run("status");
        if (r.exitCode() != 0) {
            return Optional.empty();
        }
        String first = r.output().strip().lines().findFirst().orElse("").strip().toUpperCase(Locale.ROOT);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(RouteAnnouncement.valueOf(first));
        } catch (IllegalArgumentException e) {
            throw new AnnouncerException(
                    "hook " + script + " status printed '" + first + "', expected announce, drain or withdraw");
        }
    }

    @Override
    public List<String> spec() {
        return List.of(AnnouncerSpec.HOOK, script.toString(), Long.toString(timeoutMs));
    }

    private BoundedCommand.Result run(String arg) throws AnnouncerException {
        return BoundedCommand.run(List.of(script.toString(), arg), timeoutMs, "hook " + script + " " + arg);
    }

    @Override
    public void close() {
        // stateless between calls
    }
}
