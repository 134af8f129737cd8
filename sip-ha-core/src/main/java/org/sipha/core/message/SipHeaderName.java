package org.sipha.core.message;

/**
 * Header names that sip-ha indexes by kind while framing, with their RFC 3261/3265/3515/3841/4028/4474
 * compact forms. Any other header is {@link #OTHER} and is still found by name through
 * {@link SipMessageView#header(CharSequence)}.
 */
public enum SipHeaderName {
    VIA("Via", 'v'),
    FROM("From", 'f'),
    TO("To", 't'),
    CALL_ID("Call-ID", 'i'),
    CSEQ("CSeq", (char) 0),
    MAX_FORWARDS("Max-Forwards", (char) 0),
    ROUTE("Route", (char) 0),
    RECORD_ROUTE("Record-Route", (char) 0),
    CONTACT("Contact", 'm'),
    CONTENT_LENGTH("Content-Length", 'l'),
    CONTENT_TYPE("Content-Type", 'c'),
    CONTENT_ENCODING("Content-Encoding", 'e'),
    SUPPORTED("Supported", 'k'),
    SUBJECT("Subject", 's'),
    EVENT("Event", 'o'),
    ALLOW_EVENTS("Allow-Events", 'u'),
    REFER_TO("Refer-To", 'r'),
    REFERRED_BY("Referred-By", 'b'),
    ACCEPT_CONTACT("Accept-Contact", 'a'),
    REJECT_CONTACT("Reject-Contact", 'j'),
    REQUEST_DISPOSITION("Request-Disposition", 'd'),
    SESSION_EXPIRES("Session-Expires", 'x'),
    IDENTITY("Identity", 'y'),
    PROXY_REQUIRE("Proxy-Require", (char) 0),
    REQUIRE("Require", (char) 0),
    ALLOW("Allow", (char) 0),
    EXPIRES("Expires", (char) 0),
    RETRY_AFTER("Retry-After", (char) 0),
    USER_AGENT("User-Agent", (char) 0),
    SERVER("Server", (char) 0),
    PATH("Path", (char) 0),
    AUTHORIZATION("Authorization", (char) 0),
    PROXY_AUTHORIZATION("Proxy-Authorization", (char) 0),
    /** Any header not listed above. */
    OTHER("", (char) 0);

    private static final SipHeaderName[] VALUES = values();
    private static final SipHeaderName[] BY_COMPACT = new SipHeaderName[26];
    private static final int TABLE_SIZE = 128;
    private static final SipHeaderName[] BY_HASH = new SipHeaderName[TABLE_SIZE];

    static {
        for (SipHeaderName h : VALUES) {
            if (h == OTHER) {
                continue;
            }
            if (h.compact != 0) {
                BY_COMPACT[h.compact - 'a'] = h;
            }
            int slot = hash(h.canonical) & (TABLE_SIZE - 1);
            while (BY_HASH[slot] != null) {
                slot = (slot + 1) & (TABLE_SIZE - 1);
            }
            BY_HASH[slot] = h;
        }
    }

    private final String canonical;
    private final byte[] lowerName;
    private final char compact;

    SipHeaderName(String canonical, char compact) {
        this.canonical = canonical;
        this.lowerName =
                canonical.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.compact = compact;
    }

    /** The name as RFC 3261 spells it, e.g. {@code Call-ID}; empty for {@link #OTHER}. */
    public String canonicalName() {
        return canonical;
    }

    /** The compact form's letter, or 0 if this header has none. */
    public char compactForm() {
        return compact;
    }

    /** The kind of the header named by {@code len} bytes at {@code off}: case-insensitive, compact forms too. */
    public static SipHeaderName lookup(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (!Bytes.isTokenChar(b[off + i])) {
                return OTHER;
            }
        }
        return len == 0 ? OTHER : VALUES[HeaderNameIndex.classify(b, off, len)];
    }

    /** The kind of the header called {@code name}: case-insensitive, compact forms too. */
    public static SipHeaderName lookup(CharSequence name) {
        int len = name.length();
        if (len == 1) {
            int c = Bytes.lower(name.charAt(0));
            return c >= 'a' && c <= 'z' && BY_COMPACT[c - 'a'] != null ? BY_COMPACT[c - 'a'] : OTHER;
        }
        int slot = hash(name) & (TABLE_SIZE - 1);
        for (int n = 0; n < TABLE_SIZE && BY_HASH[slot] != null; n++) {
            SipHeaderName h = BY_HASH[slot];
            if (Bytes.equalsIgnoreCase(h.lowerName, 0, h.lowerName.length, name)) {
                return h;
            }
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        return OTHER;
    }

    private static int hash(CharSequence s) {
        int len = s.length();
        return len == 0 ? 0 : nameHash(len, Bytes.lower(s.charAt(0)), Bytes.lower(s.charAt(len - 1)));
    }

    /** The table hash of a name: its length and lower-cased first and last bytes; collisions are probed. */
    private static int nameHash(int len, int firstLower, int lastLower) {
        return len * 31 + firstLower * 17 + lastLower;
    }

    static SipHeaderName ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    static int count() {
        return VALUES.length;
    }
}
