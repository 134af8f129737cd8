package org.sipha.core.message;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.address.TelURLImpl;
import gov.nist.javax.sip.header.AddressParametersHeader;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.SIPHeaderList;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.Parameters;

/**
 * Compares every field that both sip-ha's {@link SipMessageView} and JAIN-SIP RI's {@code SIPMessage} expose for
 * one message that both accepted, and collects each disagreement as a line of text. Where the two represent the
 * same wire value differently, {@link JainSipNormalise} brings both to one form and says why; nothing is compared
 * loosely anywhere else.
 */
final class JainSipFieldComparison {
    private static final Set<SipHeaderName> TYPED = EnumSet.of(
            SipHeaderName.VIA,
            SipHeaderName.FROM,
            SipHeaderName.TO,
            SipHeaderName.CALL_ID,
            SipHeaderName.CSEQ,
            SipHeaderName.MAX_FORWARDS,
            SipHeaderName.ROUTE,
            SipHeaderName.RECORD_ROUTE,
            SipHeaderName.CONTACT,
            SipHeaderName.CONTENT_LENGTH);

    private final SipMessageView ha;
    private final SIPMessage jain;
    private final List<Mismatch> mismatches = new ArrayList<>();

    private JainSipFieldComparison(SipMessageView ha, SIPMessage jain) {
        this.ha = ha;
        this.jain = jain;
    }

    /** One field on which the two parsers disagree. */
    record Mismatch(String field, Object sipHa, Object jainSip) {
        @Override
        public String toString() {
            return field + ": sip-ha <" + sipHa + "> JAIN-SIP <" + jainSip + ">";
        }
    }

    /** The disagreements between the two parses of one message; empty when they agree on every shared field. */
    static List<Mismatch> compare(SipMessageView ha, SIPMessage jain) {
        JainSipFieldComparison c = new JainSipFieldComparison(ha, jain);
        c.startLine();
        c.callIdCseqAndMaxForwards();
        c.vias();
        c.fromAndTo();
        c.addressList("Route", ha.routeCount(), ha::route, jain.getRouteHeaders());
        c.addressList("Record-Route", ha.recordRouteCount(), ha::recordRoute, jain.getRecordRouteHeaders());
        c.addressList("Contact", ha.contactCount(), ha::contact, jain.getContactHeaders());
        c.contentLengthAndBody();
        c.headersByName();
        return c.mismatches;
    }

    private void startLine() {
        check("is request", ha.isRequest(), jain instanceof SIPRequest);
        if (jain instanceof SIPRequest req) {
            check("method", text(ha.method()), req.getMethod());
            uri("Request-URI ", ha.parsedRequestUri(), req.getRequestURI());
        } else {
            SIPResponse res = (SIPResponse) jain;
            check("status code", ha.statusCode(), res.getStatusCode());
            check("reason phrase", text(ha.reasonPhrase()), res.getReasonPhrase());
        }
    }

    private void callIdCseqAndMaxForwards() {
        check(
                "Call-ID",
                text(ha.callId()),
                jain.getCallId() == null ? null : jain.getCallId().getCallId());
        check(
                "CSeq number",
                ha.cseqNumber(),
                jain.getCSeq() == null ? -1L : (long) jain.getCSeq().getSeqNumber());
        check(
                "CSeq method",
                text(ha.cseqMethod()),
                jain.getCSeq() == null ? null : jain.getCSeq().getMethod());
        check(
                "Max-Forwards",
                ha.maxForwards(),
                jain.getMaxForwards() == null ? -1 : jain.getMaxForwards().getMaxForwards());
    }

    private void vias() {
        List<Via> list = elements(jain.getViaHeaders());
        if (!check("Via count", ha.viaCount(), list.size())) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            ViaView v = ha.via(i);
            Via j = list.get(i);
            String f = "Via[" + i + "] ";
            check(f + "transport", text(v.transport()), j.getTransport());
            check(f + "host", text(v.host()), j.getHost());
            check(f + "port", v.port(), j.getPort());
            check(f + "branch", text(v.branch()), j.getBranch());
            check(f + "received", text(v.received()), j.getReceived());
            check(f + "has rport", v.hasRport(), j.hasParameter("rport"));
            check(f + "rport", v.rport(), j.getRPort());
            params(f, j, v::param);
            check(f + "as text", JainSipNormalise.viaText(v.asText()), JainSipNormalise.viaText(j.getHeaderValue()));
        }
    }

    private void fromAndTo() {
        nameAddr("From ", ha.from(), (AddressParametersHeader) jain.getFrom());
        nameAddr("To ", ha.to(), (AddressParametersHeader) jain.getTo());
    }

    private void addressList(
            String name,
            int haCount,
            Function<Integer, NameAddrView> haElement,
            SIPHeaderList<? extends AddressParametersHeader> jainList) {
        List<? extends AddressParametersHeader> list = elements(jainList);
        if (!check(name + " count", haCount, list.size())) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            nameAddr(name + "[" + i + "] ", haElement.apply(i), list.get(i));
        }
    }

    private void nameAddr(String f, NameAddrView v, AddressParametersHeader j) {
        if (!check(f + "present", v != null, j != null) || v == null) {
            return;
        }
        Address a = j.getAddress();
        if (j instanceof Contact c && (c.isWildCard() || v.isWildcard())) {
            check(f + "wildcard", v.isWildcard(), c.isWildCard());
            return;
        }
        check(f + "display name", text(v.displayName()), a.getDisplayName());
        check(f + "tag", text(v.tag()), j.getParameter("tag"));
        params(f, j, v::param);
        uri(f + "URI ", v.uri(), a.getURI());
    }

    private void uri(String f, SipUriView v, URI j) {
        check(f + "scheme", JainSipNormalise.scheme(text(v.scheme())), JainSipNormalise.scheme(j.getScheme()));
        if (j instanceof SipUri s) {
            check(f + "user", text(v.user()), s.getUser());
            check(f + "password", text(v.password()), s.getUserPassword());
            check(f + "host", text(v.host()), s.getHost());
            check(f + "port", v.port(), s.getPort());
            check(f + "lr", v.isLooseRouting(), s.hasLrParam());
            params(f, s, v::param);
            check(f + "headers", JainSipNormalise.uriHeaders(text(v.headers())), JainSipNormalise.uriHeaders(s));
        } else if (j instanceof TelURLImpl t) {
            check(f + "number", text(v.user()), (t.isGlobal() ? "+" : "") + t.getPhoneNumber());
            params(f, t, v::param);
        }
        check(f + "as text", JainSipNormalise.uriText(text(v.asText())), JainSipNormalise.uriText(j.toString()));
    }

    /**
     * Every parameter JAIN-SIP found must be found by sip-ha with the same value (the "as text" checks above
     * make sure sip-ha has no extra parameters).
     */
    private void params(String f, Parameters j, Function<String, AsciiView> haParam) {
        for (Iterator<?> it = j.getParameterNames(); it.hasNext(); ) {
            String name = (String) it.next();
            check(
                    f + "param " + name,
                    JainSipNormalise.unquote(text(haParam.apply(name))),
                    JainSipNormalise.flagAsEmpty(j.getParameter(name)));
        }
    }

    private void contentLengthAndBody() {
        check("Content-Length", ha.contentLength(), JainSipNormalise.contentLength(jain));
        AsciiView body = ha.body();
        byte[] haBody = new byte[body.length()];
        body.copyTo(haBody, 0);
        byte[] jainBody = jain.getRawContent() == null ? new byte[0] : jain.getRawContent();
        check("body", new String(haBody, StandardCharsets.UTF_8), new String(jainBody, StandardCharsets.UTF_8));
        check("body bytes", haBody.length, jainBody.length);
    }

    /**
     * Every header, by name: the same set of names on both sides, and for every header without a typed
     * comparison above, the same values in the same order. JAIN-SIP splits comma-separated lists and re-encodes
     * values, so both sides are joined with commas and compared with white space outside quoted strings removed
     * ({@link JainSipNormalise#squeeze}). Typed headers are skipped here because JAIN-SIP re-encodes them in a
     * canonical form (display names always quoted, addr-specs put in angle brackets, numbers without leading
     * zeros) and their every field was compared above.
     */
    private void headersByName() {
        Map<String, String> haNames = new LinkedHashMap<>();
        for (int i = 0; i < ha.headerCount(); i++) {
            SipHeaderName kind = ha.headerKind(i);
            String name = kind != SipHeaderName.OTHER
                    ? kind.canonicalName()
                    : ha.headerName(i).toString();
            haNames.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
        }
        TreeSet<String> jainNames = new TreeSet<>();
        jain.getHeaderNames().forEachRemaining(n -> jainNames.add(n.toLowerCase(Locale.ROOT)));
        check("header names", new TreeSet<>(haNames.keySet()).toString(), jainNames.toString());
        for (String name : haNames.values()) {
            if (TYPED.contains(SipHeaderName.lookup(name))) {
                continue;
            }
            List<String> haValues = new ArrayList<>();
            for (int n = 0; n < ha.headerCount(name); n++) {
                haValues.add(ha.header(name, n).toString());
            }
            List<String> jainValues = new ArrayList<>();
            jain.getHeaders(name).forEachRemaining(h -> jainValues.add(h.getHeaderValue()));
            check(
                    "header " + name,
                    JainSipNormalise.squeeze(String.join(",", haValues)),
                    JainSipNormalise.squeeze(String.join(",", jainValues)));
        }
    }

    private static <H extends SIPHeader> List<H> elements(SIPHeaderList<H> list) {
        return list == null ? List.of() : list.getHeaderList();
    }

    private static String text(AsciiView v) {
        return v == null ? null : v.toString();
    }

    private boolean check(String field, Object sipHa, Object jainSip) {
        if (Objects.equals(sipHa, jainSip)) {
            return true;
        }
        mismatches.add(new Mismatch(field, sipHa, jainSip));
        return false;
    }
}
