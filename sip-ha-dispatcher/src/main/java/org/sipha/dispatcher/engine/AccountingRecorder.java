package org.sipha.dispatcher.engine;

import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

/**
 * Call accounting for one loop (Kamailio's acc): reads an event's fields from the message at hand and hands them to
 * the loop's {@link CallAccountingSink}, which copies them. Off (every method returns at once) unless the
 * configuration names a {@link org.sipha.core.spi.CallAccounting}. A message whose From or To cannot be read is
 * counted by the sink, never allowed to disturb forwarding. Single-threaded: the owning loop.
 */
final class AccountingRecorder {
    /** Null: accounting is off. */
    private final CallAccountingSink sink;

    AccountingRecorder(ProxyConfig cfg, int loopIndex) {
        this.sink = cfg.callAccounting() == null ? null : cfg.callAccounting().sinkForLoop(loopIndex);
    }

    /**
     * The final response {@code code} the caller of {@code s} gets, given by {@code destination} (or by the proxy
     * after trying it); {@code m} is that response or the call's stored INVITE.
     */
    void outcome(CallState s, SipMessageView m, int code, InetSocketAddress destination) {
        if (sink != null) {
            inviteEvent(CallEventKind.OUTCOME, s, m, code, destination);
        }
    }

    /** The 2xx in {@code m}, from {@code destination}, answered the call {@code s}. */
    void start(CallState s, SipMessageView m, InetSocketAddress destination) {
        if (sink != null) {
            inviteEvent(CallEventKind.START, s, m, m.statusCode(), destination);
        }
    }

    /**
     * The 2xx in {@code m}, from {@code destination}, answers an INVITE whose call state this loop does not hold:
     * forwarded by another proxy sharing the key that died or hung before relaying it, or by this one before its
     * state expired. Recorded as that call's OUTCOME and START (the same ids as the forwarding proxy's own records,
     * so stored once), {@code caller} being where the answer goes.
     */
    void answerWithoutState(SipMessageView m, InetSocketAddress destination, InetSocketAddress caller) {
        if (sink != null) {
            event(CallEventKind.OUTCOME, m, m.statusCode(), destination, caller);
            event(CallEventKind.START, m, m.statusCode(), destination, caller);
        }
    }

    private void inviteEvent(
            CallEventKind kind, CallState s, SipMessageView m, int code, InetSocketAddress destination) {
        event(kind, m, code, destination, s.source);
    }

    private void event(
            CallEventKind kind, SipMessageView m, int code, InetSocketAddress destination, InetSocketAddress caller) {
        try {
            NameAddrView from = m.from();
            NameAddrView to = m.to();
            sink.record(
                    kind,
                    System.currentTimeMillis(),
                    code,
                    m.cseqNumber(),
                    m.callId(),
                    tag(from),
                    tag(to),
                    uri(from),
                    uri(to),
                    destination,
                    caller);
        } catch (RuntimeException e) { // a malformed From, To or CSeq in a response we relay anyway
            sink.unreadable();
        }
    }

    /**
     * The BYE in {@code m} is being routed; {@code fromCallee}: the callee sent it (its From is the callee), so the
     * caller's tag and URI are in To. {@code destination} and {@code source} are the dialog's, from its token.
     */
    void stop(SipMessageView m, boolean fromCallee, InetSocketAddress destination, InetSocketAddress source) {
        if (sink == null) {
            return;
        }
        try {
            NameAddrView caller = fromCallee ? m.to() : m.from();
            NameAddrView callee = fromCallee ? m.from() : m.to();
            sink.record(
                    CallEventKind.STOP,
                    System.currentTimeMillis(),
                    0,
                    m.cseqNumber(),
                    m.callId(),
                    tag(caller),
                    tag(callee),
                    uri(caller),
                    uri(callee),
                    destination,
                    source);
        } catch (RuntimeException e) {
            sink.unreadable();
        }
    }

    private static AsciiView tag(NameAddrView v) {
        return v == null ? null : v.tag();
    }

    private static AsciiView uri(NameAddrView v) {
        return v == null ? null : v.uriText();
    }
}
