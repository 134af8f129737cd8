package org.sipha.dispatcher.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the TCP bounds did: connections refused at accept and connections closed for abuse, by cause, and the
 * accepted connections open now. One per {@link SipProxyServer}. The event loops count (on accepts and closes,
 * never per message); any thread reads.
 */
public final class TcpCounters {
    final AtomicInteger open = new AtomicInteger();
    final AtomicLong refusedByAccessList = new AtomicLong();
    final AtomicLong refusedOverTotalLimit = new AtomicLong();
    final AtomicLong refusedOverSourceLimit = new AtomicLong();
    final AtomicLong closedIdle = new AtomicLong();
    final AtomicLong closedIncompleteMessage = new AtomicLong();
    final AtomicLong closedSlowReader = new AtomicLong();
    final AtomicLong closedTooLarge = new AtomicLong();
    final AtomicLong closedMalformed = new AtomicLong();

    /** Accepted connections open now (connections this proxy opened are not counted). */
    public int openAccepted() {
        return open.get();
    }

    /** Connections closed at accept because the access list denies their source (and it is no destination). */
    public long refusedByAccessList() {
        return refusedByAccessList.get();
    }

    /** Connections closed at accept because {@link ProxyConfig#tcpMaxConnections()} were open. */
    public long refusedOverTotalLimit() {
        return refusedOverTotalLimit.get();
    }

    /** Connections closed at accept because their source had {@link ProxyConfig#tcpMaxConnectionsPerSource()} open. */
    public long refusedOverSourceLimit() {
        return refusedOverSourceLimit.get();
    }

    /** Connections closed after {@link ProxyConfig#tcpIdleTimeoutMs()} without a byte received. */
    public long closedIdle() {
        return closedIdle.get();
    }

    /** Connections closed because a message stayed incomplete for {@link ProxyConfig#tcpMessageTimeoutMs()}. */
    public long closedIncompleteMessage() {
        return closedIncompleteMessage.get();
    }

    /** Connections closed because their peer stopped reading ({@link ProxyConfig#tcpMaxWriteBufferBytes()}). */
    public long closedSlowReader() {
        return closedSlowReader.get();
    }

    /** Connections closed because a message exceeded {@link ProxyConfig#tcpMaxMessageBytes()}. */
    public long closedTooLarge() {
        return closedTooLarge.get();
    }

    /** Connections closed because their byte stream could not be framed as SIP. */
    public long closedMalformed() {
        return closedMalformed.get();
    }

    /** What {@link #totals} counts, in its order: the refusals at accept and the closes for abuse (not idleness). */
    static final String[] SUMMARY_LABELS = {
        "access-list", "total-limit", "source-limit", "incomplete-message", "slow-reader", "too-large", "malformed"
    };

    /** The counters named by {@link #SUMMARY_LABELS}, for the periodic log line. */
    long[] totals() {
        return new long[] {
            refusedByAccessList(),
            refusedOverTotalLimit(),
            refusedOverSourceLimit(),
            closedIncompleteMessage(),
            closedSlowReader(),
            closedTooLarge(),
            closedMalformed()
        };
    }

    @Override
    public String toString() {
        return "TcpCounters{open=" + openAccepted() + ", refusedByAccessList=" + refusedByAccessList()
                + ", refusedOverTotalLimit=" + refusedOverTotalLimit() + ", refusedOverSourceLimit="
                + refusedOverSourceLimit() + ", closedIdle=" + closedIdle() + ", closedIncompleteMessage="
                + closedIncompleteMessage() + ", closedSlowReader=" + closedSlowReader() + ", closedTooLarge="
                + closedTooLarge() + ", closedMalformed=" + closedMalformed() + '}';
    }
}
