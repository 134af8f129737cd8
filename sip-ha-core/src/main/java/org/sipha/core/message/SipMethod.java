package org.sipha.core.message;

/** Request methods a proxy treats specially; anything else is {@link #OTHER}. Methods are case-sensitive. */
public enum SipMethod {
    INVITE,
    ACK,
    BYE,
    CANCEL,
    OPTIONS,
    REGISTER,
    PRACK,
    SUBSCRIBE,
    NOTIFY,
    PUBLISH,
    INFO,
    REFER,
    MESSAGE,
    UPDATE,
    /** An extension method; read its name from {@link SipMessageView#method()}. */
    OTHER;

    private static final SipMethod[] KNOWN = {
        INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, SUBSCRIBE, NOTIFY, PUBLISH, INFO, REFER, MESSAGE, UPDATE
    };
    /** The one known method, if any, with a given length (3 to 9) and first letter: slot (length, letter & 31). */
    private static final SipMethod[] BY_SLOT = new SipMethod[10 << 5];

    private static final byte[][] NAME_BY_SLOT = new byte[10 << 5][];

    static {
        for (SipMethod m : KNOWN) {
            int slot = (m.name().length() << 5) | (m.name().charAt(0) & 31);
            if (BY_SLOT[slot] != null) {
                throw new IllegalStateException(m + " shares a slot with " + BY_SLOT[slot]);
            }
            BY_SLOT[slot] = m;
            NAME_BY_SLOT[slot] = m.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** The method spelled by {@code len} bytes at {@code off} (case-sensitive, as RFC 3261 requires). */
    public static SipMethod lookup(byte[] b, int off, int len) {
        if (len < 3 || len > 9) {
            return OTHER;
        }
        int slot = (len << 5) | (b[off] & 31);
        byte[] name = NAME_BY_SLOT[slot];
        if (name == null) {
            return OTHER;
        }
        for (int i = 0; i < len; i++) {
            if (b[off + i] != name[i]) {
                return OTHER;
            }
        }
        return BY_SLOT[slot];
    }
}
