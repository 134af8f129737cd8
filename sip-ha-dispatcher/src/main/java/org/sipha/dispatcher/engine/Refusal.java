package org.sipha.dispatcher.engine;

/**
 * Why the engine dropped a message, answered a request with an error itself (400, 482, 483) or answered a new call
 * 503 itself, each counted per event loop and summed by {@link SipProxyServer#refusals(Refusal)}. Any thread.
 */
public enum Refusal {
    /** A datagram or TCP message that is not SIP (framing failed); dropped. Keep-alives are not counted. */
    UNPARSEABLE("unparseable"),
    /** A request that frames but fails validation; answered 400 (or dropped if a reply cannot be built). */
    MALFORMED("malformed"),
    /** A request with Max-Forwards 0; answered 483 (an ACK is dropped). */
    MAX_FORWARDS("max-forwards"),
    /** A request that already carries our Via (a loop); answered 482 (an ACK is dropped). */
    LOOP("loop"),
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
    HANDLING_ERROR("handling-error");

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
