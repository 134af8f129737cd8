package org.sipha.core.message;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Locale;

/**
 * The only places where the differential test lets sip-ha and JAIN-SIP RI differ in form: each method brings one
 * value to a common representation and says why the two legitimately represent it differently. Anything not
 * normalised here is compared exactly.
 */
final class JainSipNormalise {
    private JainSipNormalise() {}

    /**
     * sip-ha returns parameter values raw, as on the wire, so a quoted value keeps its quotes
     * ({@code +sip.instance="<urn:...>"}); JAIN-SIP returns the contents of the quoted string.
     */
    static String unquote(String sipHaRaw) {
        if (sipHaRaw != null && sipHaRaw.length() >= 2 && sipHaRaw.startsWith("\"") && sipHaRaw.endsWith("\"")) {
            return sipHaRaw.substring(1, sipHaRaw.length() - 1);
        }
        return sipHaRaw;
    }

    /**
     * A parameter without a value ({@code ;rport}, {@code ;lr}): sip-ha returns an empty value, JAIN-SIP returns
     * null although it lists the name. Only called for names JAIN-SIP listed, so null here means "present, no value".
     */
    static String flagAsEmpty(String jainValue) {
        return jainValue == null ? "" : jainValue;
    }

    /** URI schemes are case-insensitive (RFC 3261 19.1.4); sip-ha keeps the scheme as sent, JAIN-SIP lower-cases it. */
    static String scheme(String scheme) {
        return scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
    }

    /** A whole URI as text, its scheme lower-cased for the reason given in {@link #scheme(String)}; the rest exact. */
    static String uriText(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? uri : scheme(uri.substring(0, colon)) + uri.substring(colon);
    }

    /**
     * A whole Via value compared as text, to catch a parameter one side has and the other lacks. JAIN-SIP
     * re-encodes it: it drops white space, upper-cases the transport and lower-cases parameter names. So both
     * sides are squeezed and lower-cased here; the case-sensitive parts (branch, received, host) are compared
     * exactly by their own field checks.
     */
    static String viaText(CharSequence via) {
        return squeeze(via).toLowerCase(Locale.ROOT);
    }

    /**
     * The headers part of a URI ({@code ?Subject=x&Priority=y}). JAIN-SIP lower-cases the header names it
     * indexes (its {@code toString()} keeps them as sent and is compared exactly by the URI "as text" check), so
     * both sides are lower-cased here.
     */
    static String uriHeaders(String sipHa) {
        return sipHa == null ? null : sipHa.toLowerCase(Locale.ROOT);
    }

    /** JAIN-SIP's URI headers in order, rebuilt as {@code name=value&...}, lower-cased (see {@link #uriHeaders(String)}). */
    static String uriHeaders(SipUri s) {
        if (!s.getHeaderNames().hasNext()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        s.getHeaderNames()
                .forEachRemaining(n -> b.append(b.length() == 0 ? "" : "&")
                        .append(n)
                        .append('=')
                        .append(s.getHeader(n)));
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** Content-Length, or -1 when the message has none (how sip-ha reports an absent header). */
    static int contentLength(SIPMessage m) {
        return m.getContentLength() == null ? -1 : m.getContentLength().getContentLength();
    }

    /**
     * Removes LWS (space, tab, CR, LF) outside quoted strings. JAIN-SIP re-encodes every header it knows, without
     * the sender's white space and folding; sip-ha returns the value as sent. White space inside a quoted string
     * is kept and so still compared.
     */
    static String squeeze(CharSequence s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\' && i + 1 < s.length()) {
                b.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (quoted || (c != ' ' && c != '\t' && c != '\r' && c != '\n')) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
