package org.sipha.anycast;

/**
 * One blocking health probe of the local SIP proxy, as {@link ProxyProbeLoop} runs it ({@link SipOptionsPinger} in
 * production). Confined to the probe thread.
 */
interface LocalProxyProbe extends AutoCloseable {
    /** Probes once, waiting up to {@code timeoutMs} for the answer. */
    SipOptionsPinger.Result ping(long timeoutMs);

    @Override
    void close();
}
