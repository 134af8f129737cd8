package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;

/**
 * The two TCP timeouts of one event loop's connections: idle (no byte received for
 * {@link ProxyConfig#tcpIdleTimeoutMs()}) and incomplete message (a message begun but not complete within
 * {@link ProxyConfig#tcpMessageTimeoutMs()}, the slowloris bound). Without timer objects, as {@code CallTable}
 * does it: each connection sits on a FIFO list per timeout, in the order of its last read and of its message's
 * start, so a read moves it to the tail, and {@link #expire} looks at the heads only.
 *
 * <p>Single-threaded: the owning loop, for every connection registered with that loop (accepted or opened).
 */
final class TcpTimeouts {
    /** One connection's place on the two lists; made once per connection by {@link #open}. */
    static final class Entry {
        final Channel channel;
        long lastReadNs;
        long messageSinceNs;
        Entry idlePrev;
        Entry idleNext;
        Entry messagePrev;
        Entry messageNext;
        boolean onIdle;
        boolean onMessage;

        private Entry(Channel channel) {
            this.channel = channel;
        }
    }

    private final NanoClock clock;
    private final long idleNs;
    private final long messageNs;
    private final TcpCounters counters;
    private Entry idleHead;
    private Entry idleTail;
    private Entry messageHead;
    private Entry messageTail;

    TcpTimeouts(NanoClock clock, long idleTimeoutMs, long messageTimeoutMs, TcpCounters counters) {
        this.clock = clock;
        this.idleNs = idleTimeoutMs * 1_000_000L;
        this.messageNs = messageTimeoutMs * 1_000_000L;
        this.counters = counters;
    }

    /** A connection became active: its idle time starts now. */
    Entry open(Channel ch) {
        Entry e = new Entry(ch);
        e.lastReadNs = clock.nanoTime();
        appendIdle(e);
        return e;
    }

    /** Bytes arrived on {@code e}: its idle time starts again. */
    void read(Entry e) {
        e.lastReadNs = clock.nanoTime();
        if (e.onIdle && e != idleTail) {
            unlinkIdle(e);
            appendIdle(e);
        }
    }

    /**
     * After a read: {@code pending} if a message is begun but incomplete; {@code framed} if a message or keep-alive
     * was completed by this read, so a pending one began in it. A message's time runs from its first read.
     */
    void afterRead(Entry e, boolean pending, boolean framed) {
        if (!pending) {
            unlinkMessage(e);
        } else if (!e.onMessage || framed) {
            unlinkMessage(e);
            e.messageSinceNs = e.lastReadNs;
            appendMessage(e);
        }
    }

    /** The connection is closed: off both lists (idempotent). */
    void closed(Entry e) {
        unlinkIdle(e);
        unlinkMessage(e);
    }

    /** Closes the connections past a timeout. Runs on the loop every {@link SipProxyServer#TCP_CHECK_MS}. */
    void expire() {
        long now = clock.nanoTime();
        while (idleNs > 0 && idleHead != null && now - idleHead.lastReadNs >= idleNs) {
            Entry e = idleHead;
            closed(e);
            counters.closedIdle.incrementAndGet();
            e.channel.close();
        }
        while (messageHead != null && now - messageHead.messageSinceNs >= messageNs) {
            Entry e = messageHead;
            closed(e);
            counters.closedIncompleteMessage.incrementAndGet();
            TcpAdmission.reset(e.channel);
        }
    }

    private void appendIdle(Entry e) {
        e.idlePrev = idleTail;
        e.idleNext = null;
        if (idleTail == null) {
            idleHead = e;
        } else {
            idleTail.idleNext = e;
        }
        idleTail = e;
        e.onIdle = true;
    }

    private void unlinkIdle(Entry e) {
        if (!e.onIdle) {
            return;
        }
        if (e.idlePrev == null) {
            idleHead = e.idleNext;
        } else {
            e.idlePrev.idleNext = e.idleNext;
        }
        if (e.idleNext == null) {
            idleTail = e.idlePrev;
        } else {
            e.idleNext.idlePrev = e.idlePrev;
        }
        e.idlePrev = null;
        e.idleNext = null;
        e.onIdle = false;
    }

    private void appendMessage(Entry e) {
        e.messagePrev = messageTail;
        e.messageNext = null;
        if (messageTail == null) {
            messageHead = e;
        } else {
            messageTail.messageNext = e;
        }
        messageTail = e;
        e.onMessage = true;
    }

    private void unlinkMessage(Entry e) {
        if (!e.onMessage) {
            return;
        }
        if (e.messagePrev == null) {
            messageHead = e.messageNext;
        } else {
            e.messagePrev.messageNext = e.messageNext;
        }
        if (e.messageNext == null) {
            messageTail = e.messagePrev;
        } else {
            e.messageNext.messagePrev = e.messagePrev;
        }
        e.messagePrev = null;
        e.messageNext = null;
        e.onMessage = false;
    }
}
