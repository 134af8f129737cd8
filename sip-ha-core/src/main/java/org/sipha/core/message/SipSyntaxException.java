package org.sipha.core.message;

/**
 * Thrown by a lazily decoding accessor of {@link SipMessageView} when the header it decodes is malformed.
 * Framing errors are never thrown: {@link SipMessageView#wrap} returns them. Carries the typed
 * {@link SipParseResult} so a proxy can answer with {@link SipParseResult#statusCode()}.
 */
public final class SipSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final SipParseResult result;

    public SipSyntaxException(SipParseResult result, String detail) {
        super(result.description() + ": " + detail, null, false, false);
        this.result = result;
    }

    public SipParseResult result() {
        return result;
    }
}
