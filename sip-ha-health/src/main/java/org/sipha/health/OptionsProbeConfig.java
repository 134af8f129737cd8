package org.sipha.health;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the active SIP OPTIONS prober. Immutable; build with {@link #builder()}.
 * The per-destination interval and Request-URI can be overridden with destination attributes
 * {@code ping_interval_ms} and {@code ping_uri}.
 */
public final class OptionsProbeConfig {
    public static final String ATTR_INTERVAL_MS = "ping_interval_ms";
    public static final String ATTR_REQUEST_URI = "ping_uri";

    final long intervalNs;
    final double jitter;
    final long timeoutNs;
    final ReplyCodePolicy replyCodes;
    final String fromUri;
    final String userAgent;

    private OptionsProbeConfig(final Builder b) {
        if (b.intervalNs < TimeUnit.MILLISECONDS.toNanos(10)) {
            throw new IllegalArgumentException("intervalNs must be >= 10 ms: " + b.intervalNs);
        }
        if (b.timeoutNs < 1 || b.timeoutNs > b.intervalNs) {
            throw new IllegalArgumentException("timeoutNs must be in 1..intervalNs: " + b.timeoutNs);
        }
        if (!(b.jitter >= 0 && b.jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + b.jitter);
        }
        intervalNs = b.intervalNs;
        jitter = b.jitter;
        timeoutNs = b.timeoutNs;
        replyCodes = Objects.requireNonNull(b.replyCodes, "replyCodes");
        fromUri = checkHeaderSafe(b.fromUri, "fromUri");
        userAgent = checkHeaderSafe(b.userAgent, "userAgent");
    }

    static String checkHeaderSafe(final String s, final String name) {
        Objects.requireNonNull(s, name);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(name + " must be printable ASCII without CR/LF: '" + s + "'");
            }
        }
        return s;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder, one thread. */
    public static final class Builder {
        private long intervalNs = TimeUnit.SECONDS.toNanos(1);
        private double jitter = 0.1;
        private long timeoutNs = TimeUnit.MILLISECONDS.toNanos(500);
        private ReplyCodePolicy replyCodes = ReplyCodePolicy.anyFinal();
        private String fromUri = "sip:sipha-health@localhost";
        private String userAgent = "sip-ha-health";

        /** Time between probes to one destination (default 1 s). */
        public Builder intervalNs(final long ns) {
            intervalNs = ns;
            return this;
        }

        /** Each interval is randomly shortened or lengthened by up to this fraction (default 0.1). */
        public Builder jitter(final double fraction) {
            jitter = fraction;
            return this;
        }

        /** Time to wait for a final reply, at most the interval (default 500 ms). */
        public Builder timeoutNs(final long ns) {
            timeoutNs = ns;
            return this;
        }

        /** Which final codes mean alive (default any final). */
        public Builder replyCodes(final ReplyCodePolicy policy) {
            replyCodes = policy;
            return this;
        }

        /** From URI of probes (default {@code sip:sipha-health@localhost}). */
        public Builder fromUri(final String uri) {
            fromUri = uri;
            return this;
        }

        public Builder userAgent(final String ua) {
            userAgent = ua;
            return this;
        }

        public OptionsProbeConfig build() {
            return new OptionsProbeConfig(this);
        }
    }
}
