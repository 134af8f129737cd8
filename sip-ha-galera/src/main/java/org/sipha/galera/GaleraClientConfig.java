package org.sipha.galera;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of the Galera client; build with {@link #builder()}. Safe to share between threads.
 *
 * <p>Defaults: poll every 200 ms with an 800 ms timeout; a node goes down after 2 bad polls and up after 3 good
 * ones; Donor not allowed; commit canary every 1 s with an 8 s timeout; unit-of-work statements time out after
 * 8 s.
 *
 * <p>Tuning rule: while Galera evicts a frozen or cut-off member, commits stall on <em>every</em> node (about
 * {@code evs.suspect_timeout} + 1-2 s: ~3.5 s with PT2S, ~6.5 s with the default PT5S). Keep
 * {@code canaryTimeoutMs} and {@code statementTimeoutMs} above that stall, or a single member's failure makes
 * the healthy majority look hung and the whole site non-quorate.
 */
public final class GaleraClientConfig {
    private final List<GaleraNode> nodes;
    private final String localNode;
    private final int voters;
    private final String user;
    private final String password;
    private final String database;
    private final int pollIntervalMs;
    private final int pollTimeoutMs;
    private final int fallCount;
    private final int riseCount;
    private final boolean allowDonor;
    private final String expectedStateUuid;
    private final int canaryIntervalMs;
    private final int canaryTimeoutMs;
    private final int statementTimeoutMs;
    private final int maxAttempts;
    private final int backoffBaseMs;
    private final int backoffMaxMs;
    private final int retryAfterSecs;
    private final int poolSize;

    private GaleraClientConfig(Builder b) {
        if (b.nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes configured");
        }
        this.nodes = List.copyOf(b.nodes);
        if (nodes.stream().map(GaleraNode::name).distinct().count() != nodes.size()) {
            throw new IllegalArgumentException("duplicate node names: " + nodes);
        }
        this.localNode = b.localNode == null ? nodes.get(0).name() : b.localNode;
        if (nodes.stream().noneMatch(n -> n.name().equals(localNode))) {
            throw new IllegalArgumentException("local node " + localNode + " is not among " + nodes);
        }
        this.voters = b.voters == 0 ? nodes.size() : b.voters;
        if (voters < nodes.size()) {
            throw new IllegalArgumentException("voters (" + voters + ") < configured nodes (" + nodes.size() + ")");
        }
        this.user = Objects.requireNonNull(b.user, "user");
        this.password = Objects.requireNonNull(b.password, "password");
        this.database = Objects.requireNonNull(b.database, "database");
        this.pollIntervalMs = positive(b.pollIntervalMs, "pollIntervalMs");
        this.pollTimeoutMs = positive(b.pollTimeoutMs, "pollTimeoutMs");
        this.fallCount = positive(b.fallCount, "fallCount");
        this.riseCount = positive(b.riseCount, "riseCount");
        this.allowDonor = b.allowDonor;
        this.expectedStateUuid = b.expectedStateUuid;
        this.canaryIntervalMs = b.canaryIntervalMs;
        if (canaryIntervalMs < 0) {
            throw new IllegalArgumentException("canaryIntervalMs < 0");
        }
        this.canaryTimeoutMs = positive(b.canaryTimeoutMs, "canaryTimeoutMs");
        this.statementTimeoutMs = positive(b.statementTimeoutMs, "statementTimeoutMs");
        this.maxAttempts = positive(b.maxAttempts, "maxAttempts");
        this.backoffBaseMs = positive(b.backoffBaseMs, "backoffBaseMs");
        this.backoffMaxMs = positive(b.backoffMaxMs, "backoffMaxMs");
        this.retryAfterSecs = b.retryAfterSecs;
        if (retryAfterSecs < 0) {
            throw new IllegalArgumentException("retryAfterSecs < 0");
        }
        this.poolSize = positive(b.poolSize, "poolSize");
    }

    private static int positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + v);
        }
        return v;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<GaleraNode> nodes() {
        return nodes;
    }
    /** Name of the node preferred for writes (the one in this site). */
    public String localNode() {
        return localNode;
    }
    /** Number of voting members of the cluster including arbitrators; the majority guard needs size*2 > voters. */
    public int voters() {
        return voters;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    public int pollIntervalMs() {
        return pollIntervalMs;
    }

    public int pollTimeoutMs() {
        return pollTimeoutMs;
    }

    public int fallCount() {
        return fallCount;
    }

    public int riseCount() {
        return riseCount;
    }

    public boolean allowDonor() {
        return allowDonor;
    }
    /** The cluster state UUID to insist on, or {@code null} to pin the first one seen in a majority component. */
    public String expectedStateUuid() {
        return expectedStateUuid;
    }
    /** 0 disables the commit canary. */
    public int canaryIntervalMs() {
        return canaryIntervalMs;
    }

    public int canaryTimeoutMs() {
        return canaryTimeoutMs;
    }

    public int statementTimeoutMs() {
        return statementTimeoutMs;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public int backoffBaseMs() {
        return backoffBaseMs;
    }

    public int backoffMaxMs() {
        return backoffMaxMs;
    }

    public int retryAfterSecs() {
        return retryAfterSecs;
    }

    public int poolSize() {
        return poolSize;
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final List<GaleraNode> nodes = new ArrayList<>();
        private String localNode;
        private int voters;
        private String user;
        private String password = "";
        private String database;
        private int pollIntervalMs = 200;
        private int pollTimeoutMs = 800;
        private int fallCount = 2;
        private int riseCount = 3;
        private boolean allowDonor;
        private String expectedStateUuid;
        private int canaryIntervalMs = 1000;
        private int canaryTimeoutMs = 8000;
        private int statementTimeoutMs = 8000;
        private int maxAttempts = 6;
        private int backoffBaseMs = 20;
        private int backoffMaxMs = 500;
        private int retryAfterSecs = 30;
        private int poolSize = 4;

        public Builder node(String name, String host, int port) {
            nodes.add(new GaleraNode(name, host, port));
            return this;
        }

        public Builder localNode(String v) {
            localNode = v;
            return this;
        }

        public Builder voters(int v) {
            voters = v;
            return this;
        }

        public Builder user(String v) {
            user = v;
            return this;
        }

        public Builder password(String v) {
            password = v;
            return this;
        }

        public Builder database(String v) {
            database = v;
            return this;
        }

        public Builder pollIntervalMs(int v) {
            pollIntervalMs = v;
            return this;
        }

        public Builder pollTimeoutMs(int v) {
            pollTimeoutMs = v;
            return this;
        }

        public Builder fallCount(int v) {
            fallCount = v;
            return this;
        }

        public Builder riseCount(int v) {
            riseCount = v;
            return this;
        }

        public Builder allowDonor(boolean v) {
            allowDonor = v;
            return this;
        }

        public Builder expectedStateUuid(String v) {
            expectedStateUuid = v;
            return this;
        }

        public Builder canaryIntervalMs(int v) {
            canaryIntervalMs = v;
            return this;
        }

        public Builder canaryTimeoutMs(int v) {
            canaryTimeoutMs = v;
            return this;
        }

        public Builder statementTimeoutMs(int v) {
            statementTimeoutMs = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder backoffBaseMs(int v) {
            backoffBaseMs = v;
            return this;
        }

        public Builder backoffMaxMs(int v) {
            backoffMaxMs = v;
            return this;
        }

        public Builder retryAfterSecs(int v) {
            retryAfterSecs = v;
            return this;
        }

        public Builder poolSize(int v) {
            poolSize = v;
            return this;
        }

        public GaleraClientConfig build() {
            return new GaleraClientConfig(this);
        }
    }
}
