package org.sipha.core.message;

/** Request methods a proxy treats specially; anything else is {@link #OTHER}. Methods are case-sensitive. */
public enum SipMethod {
    INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, SUBSCRIBE, NOTIFY, PUBLISH, INFO, REFER, MESSAGE, UPDATE,
    /** An extension method; read its name from {@link SipMessageView#method()}. */
    OTHER;

    private static final SipMethod[] KNOWN = {
        INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, SUBSCRIBE, NOTIFY, PUBLISH, INFO, REFER, MESSAGE, UPDATE
    };

    /** The method spelled by {@code len} bytes at {@code off} (case-sensitive, as RFC 3261 requires). */
    public static SipMethod lookup(byte[] b, int off, int len) {
        if (len < 3 || len > 9) {
            return OTHER;
        }
        for (SipMethod m : KNOWN) {
            String n = m.name();
            if (n.length() == len && matches(n, b, off)) {
                return m;
            }
        }
        return OTHER;
    }

    private static boolean matches(String n, byte[] b, int off) {
        for (int i = 0; i < n.length(); i++) {
            if (b[off + i] != n.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
