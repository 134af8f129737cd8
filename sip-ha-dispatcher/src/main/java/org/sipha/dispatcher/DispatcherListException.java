package org.sipha.dispatcher;

/** A malformed line in a Kamailio {@code dispatcher.list}; the message starts with {@code line N: }. */
public final class DispatcherListException extends IllegalArgumentException {
    private final int lineNumber;

    public DispatcherListException(final int lineNumber, final String problem) {
        super("line " + lineNumber + ": " + problem);
        this.lineNumber = lineNumber;
    }

    /** @return the 1-based line number of the offending line. */
    public int lineNumber() {
        return lineNumber;
    }
}
