package org.sipha.dispatcher.engine;

/**
 * Why the engine dropped a message, answered a request with an error itself (400, 420, 482, 483) or answered a new call
 * 503 itself, each counted per event loop and summed by {@link SipProxyServer#refusals(Refusal)}; the engine logs the
 * counts that moved every 10 s, never a line per message. Any thread.
 */
public enum Refusal {
    /** A datagram or TCP message that is not SIP (framing failed); dropped. Keep-alives are not counted. */
    UNPARSEABLE("unparseable"),
    /** An initial request from a source outside the access list; dropped without an answer. */
    ACCESS_LIST("access-list"),
    /** A request over its source's request rate; dropped, or answered 503 if so configured. */
    REQUEST_RATE("request-rate"),
    /** An initial INVITE over its source's new-call rate; dropped, or answered 503 if so configured. */
    NEW_CALL_RATE("new-call-rate"),
    /** A new call answered 503: the loop's call slots are all held. */
    CALLS_PER_LOOP("calls-per-loop"),
    /** A new call answered 503: the INVITE copies the loop stores would exceed their byte bound. */
    CALL_BYTES_PER_LOOP("call-bytes-per-loop"),
    /** A new call answered 503: its source already holds its share of the loop's call slots. */
    CALLS_PER_SOURCE("calls-per-source"),
    /** A message whose handling failed (a malformed value found late); dropped. */
    HANDLING_ERROR("handling-error"),
    /** A request that fails validation: answered 400, or dropped if it lacks a header a reply needs (or is an ACK). */
    MALFORMED("malformed"),
    /** A request whose Max-Forwards is 0: answered 483 (an ACK is dropped). */
    MAX_FORWARDS("max-forwards"),
    /** A request that already carries this proxy's Via (a loop or spiral): answered 482 (an ACK is dropped). */
    LOOP("loop"),
    /** A request naming an option tag in Proxy-Require: answered 420 with Unsupported (an ACK or CANCEL is exempt). */
    BAD_EXTENSION("bad-extension"),
    /** A response whose Via branch claimed to be this proxy's but did not verify; dropped. */
    FORGED_RESPONSE("forged-response"),
    /** An in-dialog request without a valid Record-Route token, or towards a next hop not allowed; answered 403. */
    IN_DIALOG_REFUSED("in-dialog-refused"),
    /** A message to go over TCP to an address read from a message, with no connection open to it; dropped. */
    TCP_NO_CONNECTION("tcp-no-connection");

    static final Refusal[] ALL = values();

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    /** The name used in the engine's log summary, e.g. {@code request-rate}. */
    public String label() {
        return label;
    }
}
