package org.sipha.core.message;

/**
 * Hard limits applied while framing and decoding; immutable. Input over a limit gets a typed
 * {@link SipParseResult}, never unbounded work or memory.
 *
 * <p>Defaults: {@value #DEFAULT_MAX_MESSAGE_BYTES} bytes per message (the largest UDP payload; RFC 3261 asks
 * for TCP above 1300 bytes anyway), {@value #DEFAULT_MAX_HEADERS} header lines, {@value #DEFAULT_MAX_LINE_BYTES}
 * bytes per line (a folded header counts each physical line), {@value #DEFAULT_MAX_VALUES_PER_HEADER} values of
 * one multi-valued header (Via, Route, Record-Route, Contact) across all its lines.
 */
public final class SipParseLimits {
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 65_535;
    public static final int DEFAULT_MAX_HEADERS = 128;
    public static final int DEFAULT_MAX_LINE_BYTES = 8_192;
    public static final int DEFAULT_MAX_VALUES_PER_HEADER = 64;

    private static final SipParseLimits DEFAULTS = builder().build();

    private final int maxMessageBytes;
    private final int maxHeaders;
    private final int maxLineBytes;
    private final int maxValuesPerHeader;

    private SipParseLimits(Builder b) {
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxHeaders = b.maxHeaders;
        this.maxLineBytes = b.maxLineBytes;
        this.maxValuesPerHeader = b.maxValuesPerHeader;
    }

    public static SipParseLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int maxHeaders() {
        return maxHeaders;
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    public int maxValuesPerHeader() {
        return maxValuesPerHeader;
    }

    @Override
    public String toString() {
        return "SipParseLimits{maxMessageBytes=" + maxMessageBytes + ", maxHeaders=" + maxHeaders + ", maxLineBytes="
                + maxLineBytes + ", maxValuesPerHeader=" + maxValuesPerHeader + '}';
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxHeaders = DEFAULT_MAX_HEADERS;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private int maxValuesPerHeader = DEFAULT_MAX_VALUES_PER_HEADER;

        private Builder() {}

        public Builder maxMessageBytes(int v) {
            this.maxMessageBytes = positive("maxMessageBytes", v);
            return this;
        }

        public Builder maxHeaders(int v) {
            this.maxHeaders = positive("maxHeaders", v);
            return this;
        }

        public Builder maxLineBytes(int v) {
            this.maxLineBytes = positive("maxLineBytes", v);
            return this;
        }

        public Builder maxValuesPerHeader(int v) {
            this.maxValuesPerHeader = positive("maxValuesPerHeader", v);
            return this;
        }

        public SipParseLimits build() {
            return new SipParseLimits(this);
        }

        private static int positive(String name, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + v);
            }
            return v;
        }
    }
}
