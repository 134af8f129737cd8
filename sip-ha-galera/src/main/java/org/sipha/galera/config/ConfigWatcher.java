package org.sipha.galera.config;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one proxy on the configuration version in force in the cluster. Every poll interval it asks for the active
 * version ({@link ConfigSource#activeVersion()}; {@link GaleraConfigStore}: one single-row read on a trusted node); when that is newer
 * than the version applied here it reads the version whole (one transaction), has the {@link Validator} check it,
 * logs the diff, has the {@link Applier} put it in force and writes it to the {@link LocalConfigCopy}. A version the
 * validator refuses is reported (log and {@link #status()}) and the last good one stays; it is not retried, a newer
 * version is. A version older than the one applied (a node lagging behind the one read before) is ignored. While
 * no node is trusted, polls fail and the proxy runs on what it has.
 *
 * <p>At start, {@link #startingVersion} gives the version to start with: the database's, waiting a bounded time for
 * a trusted node, else the local copy; either validated first.
 *
 * <h2>Threading</h2>
 * {@link #startingVersion} and {@link #start} once each, from the thread that starts the proxy; from then on one
 * daemon thread ({@code sipha-config-watch}) polls, validates and calls the applier. {@link #status()},
 * {@link #isAlive()}, {@link #lastCycleNanos()} and {@link #close()} any thread.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long RETRY_START_MS = 100;
    private static final long JOIN_MS = 5_000;

    /** Decides whether a version can be put in force here, changing nothing. */
    @FunctionalInterface
    public interface Validator {
        /** @throws ConfigRefusedException saying why the version cannot be applied */
        void validate(ConfigVersion version) throws ConfigRefusedException;
    }

    /** Puts a validated version in force, as a whole; throws, leaving the previous one in force, if it cannot. */
    @FunctionalInterface
    public interface Applier {
        /**
         * @param next     the version to put in force, already validated
         * @param previous the version in force until now, or null
         * @param diff     what changes
         */
        void apply(ConfigVersion next, ConfigVersion previous, ConfigDiff diff) throws Exception;
    }

    private final ConfigSource store;
    private final LocalConfigCopy copy;
    private final Validator validator;
    private final long intervalNs;
    private final Thread thread;
    private volatile ConfigWatchStatus status = ConfigWatchStatus.initial();
    private volatile boolean running;
    private volatile long lastCycleNanos = System.nanoTime();
    /** Watcher thread after {@link #start}. */
    private ConfigVersion applied;

    private Applier applier;
    private long ignoredOlder;

    private ConfigWatcher(ConfigSource store, LocalConfigCopy copy, Validator validator, long intervalMs) {
        this.store = Objects.requireNonNull(store, "store");
        this.copy = Objects.requireNonNull(copy, "copy");
        this.validator = Objects.requireNonNull(validator, "validator");
        if (intervalMs < 10) {
            throw new IllegalArgumentException("poll interval must be >= 10 ms: " + intervalMs);
        }
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.thread = new Thread(this::run, "sipha-config-watch");
        this.thread.setDaemon(true);
    }

    /**
     * A watcher polling every {@code intervalMs} (250 ms keeps a change under 1 s everywhere at one tiny read per
     * proxy per interval), with its local copy in {@code localCopy}.
     */
    public static ConfigWatcher create(ConfigSource store, Path localCopy, Validator validator, long intervalMs) {
        return new ConfigWatcher(store, new LocalConfigCopy(localCopy), validator, intervalMs);
    }

    /**
     * The version to start with: the database's version in force, waiting up to {@code waitMs} for a trusted node;
     * if none answers, none was published, or it is refused, the local copy. Both are validated; the one returned is
     * recorded as applied. Empty if there is neither.
     */
    public Optional<ConfigVersion> startingVersion(long waitMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (true) {
            try {
                Optional<ConfigVersion> v = store.readActive();
                status = status.pollOk(v.map(ConfigVersion::number).orElse(0L), System.currentTimeMillis());
                if (v.isEmpty()) {
                    LOG.warn("no configuration version has been published in the cluster yet");
                    break;
                }
                if (accept(v.get(), ConfigWatchStatus.Source.DATABASE)) {
                    saveCopy(v.get());
                    return v;
                }
                break;
            } catch (SQLException e) {
                status = status.pollFailed(e.toString());
                if (System.nanoTime() - deadline > 0) {
                    LOG.warn(
                            "no trusted database node within {} ms ({}): starting from the local copy",
                            waitMs,
                            e.toString());
                    break;
                }
                Thread.sleep(RETRY_START_MS);
            } catch (IllegalArgumentException e) {
                LOG.error("the configuration version in force cannot be read: {}", e.getMessage());
                break;
            }
        }
        return fromCopy();
    }

    private Optional<ConfigVersion> fromCopy() {
        Optional<ConfigVersion> v;
        try {
            v = copy.read();
        } catch (IOException e) {
            status = status.localCopy(e.getMessage());
            LOG.error("local configuration copy unusable: {}", e.getMessage());
            return Optional.empty();
        }
        if (v.isEmpty()) {
            LOG.warn("no local configuration copy at {}", copy.file());
            return v;
        }
        return accept(v.get(), ConfigWatchStatus.Source.LOCAL_COPY) ? v : Optional.empty();
    }

    private boolean accept(ConfigVersion v, ConfigWatchStatus.Source from) {
        try {
            validator.validate(v);
        } catch (ConfigRefusedException e) {
            refuse(v.number(), e.getMessage());
            return false;
        }
        status = status.applied(v.number(), from, System.currentTimeMillis());
        LOG.info(
                "starting on configuration {} from the {}",
                v.describe(),
                from == ConfigWatchStatus.Source.DATABASE ? "database" : "local copy " + copy.file());
        return true;
    }

    /**
     * Starts polling. Versions newer than {@code current} (null: any) go to {@code applier}. Once.
     *
     * @param current the version the proxy runs now (from {@link #startingVersion}), or null
     */
    public void start(ConfigVersion current, Applier applier) {
        prepare(current, applier);
        running = true;
        thread.start();
    }

    /** What {@link #start} sets before the thread runs; tests then call {@link #poll()} themselves. */
    void prepare(ConfigVersion current, Applier applier) {
        this.applied = current;
        this.applier = Objects.requireNonNull(applier, "applier");
        if (current != null && status.appliedVersion() != current.number()) {
            status = status.applied(current.number(), ConfigWatchStatus.Source.DATABASE, System.currentTimeMillis());
        }
    }

    /** What the watcher last did. Any thread. */
    public ConfigWatchStatus status() {
        return status;
    }

    /** True from {@link #start} until the thread ends. Any thread. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** {@link System#nanoTime()} when the thread last began a poll; stops advancing if it dies or hangs. */
    public long lastCycleNanos() {
        return lastCycleNanos;
    }

    private void run() {
        while (running) {
            lastCycleNanos = System.nanoTime();
            try {
                poll();
            } catch (RuntimeException e) {
                LOG.error("configuration poll failed", e);
            }
            LockSupport.parkNanos(this, intervalNs);
        }
    }

    /** One poll: the active version, and if it is newer than ours, the version itself. Watcher thread. */
    void poll() {
        long active;
        try {
            active = store.activeVersion();
        } catch (SQLException e) {
            pollFailed(e);
            return;
        }
        pollOk(active);
        long current = applied == null ? 0 : applied.number();
        if (active == current || active == 0 || active == status.refusedVersion()) {
            return;
        }
        if (active < current) {
            if (ignoredOlder != active) {
                ignoredOlder = active;
                LOG.warn(
                        "the cluster reports configuration version {}, older than version {} in force here:"
                                + " ignored (versions only grow; a rollback publishes a new one)",
                        active,
                        current);
            }
            return;
        }
        ConfigVersion next;
        try {
            Optional<ConfigVersion> read = store.read(active);
            if (read.isEmpty()) {
                return; // the node read now has not applied it yet: next poll
            }
            next = read.get();
        } catch (SQLException e) {
            pollFailed(e);
            return;
        } catch (IllegalArgumentException e) {
            refuse(active, "its stored rows are unusable: " + e.getMessage());
            return;
        }
        applyVersion(next);
    }

    private void applyVersion(ConfigVersion next) {
        try {
            validator.validate(next);
        } catch (ConfigRefusedException e) {
            refuse(next.number(), e.getMessage());
            return;
        }
        ConfigDiff diff = ConfigDiff.between(applied == null ? null : applied.content(), next.content());
        try {
            applier.apply(next, applied, diff);
        } catch (Exception e) {
            refuse(next.number(), "applying it failed: " + e);
            return;
        }
        long was = applied == null ? 0 : applied.number();
        applied = next;
        status = status.applied(next.number(), ConfigWatchStatus.Source.DATABASE, System.currentTimeMillis());
        LOG.info(
                "configuration version {} in force (was {}): {}; {}",
                next.number(),
                was,
                diff.summary(),
                next.describe());
        for (String line : diff.lines()) {
            LOG.info("  {}", line);
        }
        saveCopy(next);
    }

    private void refuse(long version, String reason) {
        status = status.refused(version, reason);
        LOG.error(
                "configuration version {} REFUSED, version {} stays in force: {}",
                version,
                status.appliedVersion(),
                reason);
    }

    private void saveCopy(ConfigVersion v) {
        try {
            copy.write(v);
            if (status.localCopyError() != null) {
                status = status.localCopy(null);
            }
        } catch (IOException e) {
            status = status.localCopy("cannot write " + copy.file() + ": " + e);
            LOG.error("cannot write the local configuration copy {}: {}", copy.file(), e.toString());
        }
    }

    private void pollOk(long active) {
        if (status.consecutivePollFailures() > 0) {
            LOG.info("configuration polls succeed again after {} failure(s)", status.consecutivePollFailures());
        }
        status = status.pollOk(active, System.currentTimeMillis());
    }

    private void pollFailed(SQLException e) {
        if (status.consecutivePollFailures() == 0) {
            LOG.warn("configuration poll failed, version {} stays in force: {}", status.appliedVersion(), e.toString());
        } else {
            LOG.debug("configuration poll failed again: {}", e.toString());
        }
        status = status.pollFailed(e.toString());
    }

    /** Stops the thread (bounded wait). */
    @Override
    public void close() {
        running = false;
        if (thread.isAlive()) {
            LockSupport.unpark(thread);
            try {
                thread.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
