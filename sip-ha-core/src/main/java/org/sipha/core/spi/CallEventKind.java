package org.sipha.core.spi;

/** What a call accounting event records (Kamailio acc's transaction and dialog records). */
public enum CallEventKind {
    /** The final response the caller got for a forwarded INVITE: its code and the destination that gave it. */
    OUTCOME,
    /** A 2xx to a forwarded INVITE: the call was answered (the dialog starts). */
    START,
    /** A BYE routed through the proxy: the call ended (the dialog stops). */
    STOP
}
