package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each of RFC 4475's 49 torture messages gets the verdict a proxy's parser owes it: {@code OK} where the RFC says
 * the message is valid or a proxy should pass it on, the named error where the RFC says it is invalid and a proxy
 * should reject it (400, or 505 for the version). Where the RFC allows either (3.1.2.11-15: "reasonable to
 * reject ... or ... liberal"), sip-ha passes the message on, since what it routes by (Via, Call-ID, CSeq, From tag,
 * Route) is unambiguous in it.
 */
class Rfc4475VerdictTest {
    private static final Map<String, SipParseResult> VERDICT = new TreeMap<>();

    static {
        // 3.1.1 valid messages
        for (String ok : new String[] {
            "wsinv",
            "intmeth",
            "esc01",
            "escnull",
            "esc02",
            "lwsdisp",
            "longreq",
            "dblreq",
            "semiuri",
            "transports",
            "mpart01",
            "unreason",
            "noreason"
        }) {
            VERDICT.put(ok, SipParseResult.OK);
        }
        // 3.1.2 invalid messages
        VERDICT.put("badinv01", SipParseResult.BAD_VIA); // 3.1.2.1 extraneous header separators
        VERDICT.put("clerr", SipParseResult.BODY_TRUNCATED); // 3.1.2.2 Content-Length larger than message
        VERDICT.put("ncl", SipParseResult.BAD_CONTENT_LENGTH); // 3.1.2.3 negative Content-Length
        VERDICT.put("scalar02", SipParseResult.BAD_CSEQ); // 3.1.2.4 overlarge scalar values
        VERDICT.put("scalarlg", SipParseResult.BAD_CSEQ); // 3.1.2.5 (response) overlarge scalar values
        VERDICT.put("quotbal", SipParseResult.BAD_NAME_ADDR); // 3.1.2.6 unterminated quoted string
        VERDICT.put("ltgtruri", SipParseResult.BAD_REQUEST_URI); // 3.1.2.7 <> around the Request-URI
        VERDICT.put("lwsruri", SipParseResult.BAD_START_LINE); // 3.1.2.8 LWS inside the Request-URI
        VERDICT.put("lwsstart", SipParseResult.BAD_START_LINE); // 3.1.2.9 several SP in the request line
        VERDICT.put("trws", SipParseResult.BAD_START_LINE); // 3.1.2.10 SP at the end of the request line
        VERDICT.put("escruri", SipParseResult.OK); // 3.1.2.11 either; escaped headers kept
        VERDICT.put("baddate", SipParseResult.OK); // 3.1.2.12 a proxy forwards it
        VERDICT.put("regbadct", SipParseResult.OK); // 3.1.2.13 either
        VERDICT.put("badaspec", SipParseResult.OK); // 3.1.2.14 either
        VERDICT.put("baddn", SipParseResult.OK); // 3.1.2.15 either
        VERDICT.put("badvers", SipParseResult.UNSUPPORTED_VERSION); // 3.1.2.16 505
        VERDICT.put("mismatch01", SipParseResult.BAD_CSEQ); // 3.1.2.17 start line and CSeq disagree
        VERDICT.put("mismatch02", SipParseResult.BAD_CSEQ); // 3.1.2.18 likewise, unknown method
        VERDICT.put("bigcode", SipParseResult.BAD_STATUS_CODE); // 3.1.2.19 overlarge status code
        // 3.2 transaction layer: a branch without the magic cookie is RFC 2543 style, still routable
        VERDICT.put("badbranch", SipParseResult.OK);
        // 3.3 application layer, from a proxy's side
        VERDICT.put("insuf", SipParseResult.MISSING_HEADER); // 3.3.1 missing required headers
        for (String ok : new String[] {
            "unkscm",
            "novelsc",
            "unksm2",
            "bext01",
            "invut",
            "regaut01",
            "bcast",
            "zeromf",
            "cparam01",
            "cparam02",
            "regescrt",
            "sdp01"
        }) {
            VERDICT.put(ok, SipParseResult.OK); // parse fine; the layers above decide
        }
        VERDICT.put("multi01", SipParseResult.DUPLICATE_HEADER); // 3.3.8 two values in single-value fields
        VERDICT.put("mcl01", SipParseResult.BAD_CONTENT_LENGTH); // 3.3.9 several Content-Length values
        // 3.4 backward compatibility
        VERDICT.put("inv2543", SipParseResult.OK);
    }

    static Stream<Arguments> messages() {
        return VERDICT.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void everyTortureMessageHasAVerdict() {
        assertEquals(49, VERDICT.size());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("messages")
    void parserGivesTheVerdictTheRfcAsksFor(String name, SipParseResult expected) throws IOException {
        byte[] b = load(name);
        SipMessageView v = new SipMessageView();
        SipParseResult r = v.wrap(b, 0, b.length);
        if (r == SipParseResult.OK) {
            r = v.validate();
        }
        assertEquals(expected, r, name);
        if (expected.isError()) {
            assertTrue(expected.statusCode() == 400 || expected.statusCode() == 505, name);
        }
    }

    static byte[] load(String name) throws IOException {
        try (InputStream in = Rfc4475VerdictTest.class.getResourceAsStream("/rfc4475/" + name + ".dat")) {
            if (in == null) {
                throw new IOException("missing test resource rfc4475/" + name + ".dat");
            }
            return in.readAllBytes();
        }
    }
}
