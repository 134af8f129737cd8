package org.sipha.core.message;

/**
 * Outcome of framing a SIP message or decoding one of its fields: {@link #OK}, one of two non-error framing
 * outcomes, or an error that names what is wrong and the SIP response a server should send for it.
 */
public enum SipParseResult {
    /** A complete message was framed. */
    OK(0, "ok"),
    /** Stream transports only: more bytes are needed to frame the message. */
    INCOMPLETE(0, "incomplete message, more bytes needed"),
    /** Only CRLF keep-alive bytes (RFC 5626); consume {@link SipMessageView#frameLength()} bytes. */
    KEEPALIVE(0, "CRLF keep-alive"),

    EMPTY(400, "empty message"),
    MESSAGE_TOO_LARGE(513, "message exceeds the configured size limit"),
    LINE_TOO_LONG(400, "a line exceeds the configured length limit"),
    TOO_MANY_HEADERS(400, "header count exceeds the configured limit"),
    TOO_MANY_VALUES(400, "header values exceed the configured limit"),
    BAD_START_LINE(400, "malformed request line or status line"),
    BAD_METHOD(400, "malformed method"),
    BAD_REQUEST_URI(400, "malformed Request-URI"),
    UNSUPPORTED_VERSION(505, "SIP version not supported"),
    BAD_STATUS_CODE(400, "malformed status code"),
    BAD_HEADER_LINE(400, "malformed header line"),
    BAD_CONTENT_LENGTH(400, "malformed or conflicting Content-Length"),
    MISSING_CONTENT_LENGTH(400, "Content-Length is required on stream transports"),
    BODY_TRUNCATED(400, "body shorter than Content-Length"),
    MISSING_HEADER(400, "a mandatory header is missing"),
    BAD_VIA(400, "malformed Via"),
    BAD_CSEQ(400, "malformed CSeq"),
    BAD_MAX_FORWARDS(400, "malformed Max-Forwards"),
    BAD_NAME_ADDR(400, "malformed name-addr (From, To, Contact, Route or Record-Route)"),
    BAD_URI(400, "malformed URI"),
    BAD_CALL_ID(400, "malformed Call-ID"),
    CONTROL_CHARACTER(400, "control character (NUL, bare CR, DEL...) outside the body"),
    DUPLICATE_HEADER(400, "a single-value header field appears more than once");

    private final int statusCode;
    private final String description;

    SipParseResult(int statusCode, String description) {
        this.statusCode = statusCode;
        this.description = description;
    }

    /** True for every outcome that means the input is malformed or over a limit. */
    public boolean isError() {
        return statusCode != 0;
    }

    /** The SIP status a server answers a request with for this error (400, 505, 513); 0 if not an error. */
    public int statusCode() {
        return statusCode;
    }

    public String description() {
        return description;
    }
}
