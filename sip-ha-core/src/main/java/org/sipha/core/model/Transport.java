package org.sipha.core.model;

/** SIP transport of a destination, as written in a SIP URI's {@code transport} parameter or implied by {@code sips:}. */
public enum Transport {
    UDP,
    TCP,
    TLS,
    SCTP,
    WS,
    WSS;

    /**
     * Case-insensitive lookup of a URI {@code transport} parameter value.
     *
     * @throws IllegalArgumentException for a value that names no known transport.
     */
    public static Transport fromUriParameter(final CharSequence value) {
        for (final Transport t : values()) {
            if (t.name().equalsIgnoreCase(value.toString())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + value + "'");
    }
}
