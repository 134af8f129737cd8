package org.sipha.core.spi;

/**
 * The Via branch prefix of health probes (SIP OPTIONS sent through a {@link HealthProbeTransport}). A proxy that
 * implements the transport over its own sockets recognises the replies by this prefix on their top Via and hands
 * them to the prober instead of routing them; everything after the prefix belongs to the prober.
 *
 * <p>It starts with the RFC 3261 magic cookie {@code z9hG4bK} and then differs from any branch a proxy of ours
 * stamps on forwarded requests ({@code z9hG4bKsh...}), so a probe reply is never mistaken for a call's response.
 */
public final class HealthProbeBranch {
    /** Every probe's branch starts with this. */
    public static final String PREFIX = "z9hG4bK-sipha-";

    private HealthProbeBranch() {}
}
