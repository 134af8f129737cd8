package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.core.message.JainSipDifferentialTest.JainSip.ACCEPTS;
import static org.sipha.core.message.JainSipDifferentialTest.JainSip.REJECTS;
import static org.sipha.core.message.SipParseResult.OK;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipha.core.message.JainSipFieldComparison.Mismatch;

/**
 * Differential test against JAIN-SIP RI (issue 2, section 5): every message of {@code src/test/resources/corpus}
 * is parsed by sip-ha and by JAIN-SIP. Where both accept it, every field both expose must agree
 * ({@link JainSipFieldComparison}); where either rejects it, {@link #EXPECTED} says who rejects it and why, and
 * the test fails as soon as a message's accept/reject status changes on either side.
 *
 * <p>What "rejects" means:
 * <ul>
 *   <li>sip-ha: {@code wrap} does not frame the message, {@code validate()} reports a problem, or decoding a
 *       field a proxy reads (Request-URI, every Via, From/To, every Route, Record-Route and Contact with its URI)
 *       throws {@link SipSyntaxException}. The first such result is the outcome.</li>
 *   <li>JAIN-SIP: {@code StringMsgParser.parseSIPMessage} throws, or reports any header it cannot parse. Its
 *       stack would silently drop an unparseable header that is not a core header; we count that as a
 *       rejection so that no field is ever compared against a header JAIN-SIP dropped.</li>
 * </ul>
 */
class JainSipDifferentialTest {
    private static final int MIN_CORPUS_SIZE = 50;
    private static final AtomicInteger CHECKED = new AtomicInteger();

    /** Accepted by both parsers, every shared field equal. The default for any file not in {@link #EXPECTED}. */
    private static final Expected BOTH_ACCEPT = new Expected(OK, ACCEPTS, Set.of(), "well-formed.");

    /**
     * Every corpus message that at least one parser rejects (sip-ha's outcome, whether JAIN-SIP rejects, why), and
     * the messages both accept but read differently (the fields that differ, why). Keep it sorted by file name.
     */
    private static final Map<String, Expected> EXPECTED = new TreeMap<>(Map.ofEntries(
            rejected(
                    "bad-content-length-beyond-body.sip",
                    SipParseResult.BODY_TRUNCATED,
                    REJECTS,
                    "Content-Length 9999 promises more bytes than the datagram holds, an error by RFC 3261 18.3."),
            rejected(
                    "bad-content-length-conflicting.sip",
                    SipParseResult.BAD_CONTENT_LENGTH,
                    ACCEPTS,
                    "Content-Length 5 and l: 12 disagree; sip-ha will not guess where the body ends, JAIN-SIP ignores both "
                            + "and takes the rest of the buffer."),
            rejected(
                    "bad-content-length-negative.sip",
                    SipParseResult.BAD_CONTENT_LENGTH,
                    REJECTS,
                    "Content-Length -5 is not a number of bytes."),
            rejected(
                    "bad-content-length-not-a-number.sip",
                    SipParseResult.BAD_CONTENT_LENGTH,
                    REJECTS,
                    "Content-Length 'zero' is not a number."),
            rejected(
                    "bad-cseq-method-mismatch.sip",
                    SipParseResult.BAD_CSEQ,
                    ACCEPTS,
                    "CSeq BYE on an INVITE breaks RFC 3261 8.1.1.7; sip-ha's validate() checks it, JAIN-SIP's parser leaves "
                            + "that to its transaction layer."),
            rejected(
                    "bad-cseq-not-a-number.sip",
                    SipParseResult.BAD_CSEQ,
                    REJECTS,
                    "The CSeq sequence number 'one' is not a number."),
            rejected(
                    "bad-empty-tag.sip",
                    SipParseResult.BAD_NAME_ADDR,
                    ACCEPTS,
                    "tag= has an empty value but a tag is a token (RFC 3261 25.1); JAIN-SIP stores the empty string."),
            rejected(
                    "bad-escaped-uri-missing-at-host.sip",
                    SipParseResult.BAD_REQUEST_URI,
                    REJECTS,
                    "The Request-URI sip:user@ has no host; sip-ha finds out when the Request-URI is decoded."),
            rejected(
                    "bad-fold-before-first-header.sip",
                    SipParseResult.BAD_HEADER_LINE,
                    REJECTS,
                    "A continuation line right after the start line has no header to continue."),
            rejected(
                    "bad-header-missing-colon.sip",
                    SipParseResult.BAD_HEADER_LINE,
                    REJECTS,
                    "The line 'Max-Forwards 70' has no colon, so it is not a header."),
            rejected(
                    "bad-header-name-with-space.sip",
                    SipParseResult.BAD_HEADER_LINE,
                    ACCEPTS,
                    "A header name is a token and cannot hold a space; JAIN-SIP takes 'Bad Header' as an extension header."),
            rejected(
                    "bad-max-forwards-not-a-number.sip",
                    SipParseResult.BAD_MAX_FORWARDS,
                    REJECTS,
                    "Max-Forwards 'seventy' is not a number."),
            rejected(
                    "bad-missing-call-id.sip",
                    SipParseResult.MISSING_HEADER,
                    ACCEPTS,
                    "There is no Call-ID; sip-ha's validate() requires it, JAIN-SIP's parser does not check mandatory "
                            + "headers (its stack does, later)."),
            rejected(
                    "bad-request-line-missing-uri.sip",
                    SipParseResult.BAD_REQUEST_URI,
                    REJECTS,
                    "The request line 'OPTIONS SIP/2.0' has no Request-URI."),
            rejected(
                    "bad-response-unknown-version.sip",
                    SipParseResult.UNSUPPORTED_VERSION,
                    REJECTS,
                    "SIP/3.0 is not SIP/2.0; sip-ha answers 505, JAIN-SIP does not see a status line and fails on the method."),
            rejected(
                    "bad-status-code-two-digits.sip",
                    SipParseResult.BAD_STATUS_CODE,
                    ACCEPTS,
                    "A status code has exactly three digits; JAIN-SIP reads '20' as status 20."),
            rejected(
                    "bad-unknown-sip-version.sip",
                    SipParseResult.UNSUPPORTED_VERSION,
                    ACCEPTS,
                    "SIP/7.0 is not SIP/2.0 so sip-ha answers 505; JAIN-SIP's parser ignores the version number."),
            rejected(
                    "bad-unterminated-angle-contact.sip",
                    SipParseResult.BAD_NAME_ADDR,
                    REJECTS,
                    "The Contact URI opens '<' and never closes it."),
            rejected(
                    "bad-unterminated-quote-display-name.sip",
                    SipParseResult.BAD_NAME_ADDR,
                    REJECTS,
                    "The From display name opens a quote and never closes it."),
            rejected(
                    "bad-via-branch-without-value.sip",
                    SipParseResult.BAD_VIA,
                    REJECTS,
                    "branch without a value cannot identify a transaction."),
            rejected(
                    "bad-via-empty-branch.sip",
                    SipParseResult.BAD_VIA,
                    REJECTS,
                    "branch= has an empty value but a branch is a token (RFC 3261 25.1)."),
            rejected(
                    "bad-via-empty-received.sip",
                    SipParseResult.BAD_VIA,
                    ACCEPTS,
                    "received= has an empty value but must be an IP address (RFC 3261 25.1); JAIN-SIP stores the empty "
                            + "string."),
            rejected(
                    "bad-via-missing-transport.sip",
                    SipParseResult.BAD_VIA,
                    REJECTS,
                    "'SIP/2.0 host' lacks the /transport part of sent-protocol."),
            rejected(
                    "bad-via-port-out-of-range.sip",
                    SipParseResult.BAD_VIA,
                    ACCEPTS,
                    "Port 70000 is above 65535; JAIN-SIP stores any int."),
            rejected(
                    "compact-form-referred-by.sip",
                    OK,
                    REJECTS,
                    "b is Referred-By's compact form (RFC 3892); JAIN-SIP maps the name but its parser then expects the long "
                            + "name and throws."),
            rejected(
                    "limit-header-line-over-8k.sip",
                    SipParseResult.LINE_TOO_LONG,
                    ACCEPTS,
                    "A 9,011-byte header line is over sip-ha's default 8,192-byte line limit; JAIN-SIP has no such limit."),
            rejected(
                    "response-lowercase-sip-version.sip",
                    OK,
                    REJECTS,
                    "SIP-Version is case-insensitive (RFC 3261 7.1); JAIN-SIP only sees a status line when it starts with "
                            + "upper-case SIP/ and fails on 'sip/2.0' as a method."),
            rejected(
                    "torture-cseq-largest-32-bit.sip",
                    OK,
                    REJECTS,
                    "CSeq 4294967295 fits the 32 bits RFC 3261 8.1.1.5 allows (only the first CSeq must be below 2^31); "
                            + "JAIN-SIP refuses anything above 2^31."),
            rejected(
                    "torture-request-line-tabs.sip",
                    SipParseResult.BAD_START_LINE,
                    ACCEPTS,
                    "RFC 3261 25.1 separates the request line's parts by exactly one SP; a tab is read differently by "
                            + "different elements (RFC 4475 3.1.2.9), so sip-ha refuses it, JAIN-SIP accepts it."),
            rejected(
                    "torture-empty-list-elements.sip",
                    OK,
                    REJECTS,
                    "sip-ha skips empty elements in a comma list ('a, , b') as HTTP's #rule does; JAIN-SIP wants an element "
                            + "after every comma, as RFC 3261's grammar strictly says."),
            rejected(
                    "torture-max-forwards-above-255.sip",
                    OK,
                    REJECTS,
                    "RFC 3261 20.22 says Max-Forwards is 0-255 but its grammar is 1*DIGIT; sip-ha reads any value up to "
                            + "2^31-1 (a proxy only decrements it), JAIN-SIP refuses 256."),
            differs(
                    "content-length-shorter-than-datagram.sip",
                    "RFC 3261 18.3 says bytes after Content-Length in a datagram are discarded, as sip-ha does; JAIN-SIP "
                            + "keeps the whole rest of the buffer as the body and rewrites Content-Length to match.",
                    "Content-Length",
                    "body",
                    "body bytes"),
            differs(
                    "torture-empty-generic-param-values.sip",
                    "JAIN-SIP cannot tell x-empty= from the flag x-empty and re-encodes the Via with a flag; the parameter's "
                            + "empty value itself is compared and agrees.",
                    "Via[0] as text"),
            differs(
                    "torture-no-content-length-datagram.sip",
                    "Without Content-Length a datagram's body runs to its end (RFC 3261 18.3), as sip-ha reads it; "
                            + "JAIN-SIP drops the body and adds Content-Length: 0.",
                    "Content-Length",
                    "body",
                    "body bytes",
                    "header names")));

    static Stream<String> corpus() {
        try (Stream<Path> files = Files.list(corpusDir())) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sip"))
                    .sorted()
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void parsersAgreeOnEveryFieldOrRejectAsDocumented(String file) throws IOException {
        byte[] bytes = Files.readAllBytes(corpusDir().resolve(file));
        Expected expected = EXPECTED.getOrDefault(file, BOTH_ACCEPT);
        SipMessageView view = new SipMessageView();
        SipParseResult sipHa = sipHaOutcome(view, bytes);
        JainOutcome jainSip = JainOutcome.parse(bytes);

        assertEquals(
                expected.sipHa(),
                sipHa,
                file + ": sip-ha's outcome changed (expected because: " + expected.why() + ")");
        assertEquals(
                expected.jainSip(),
                jainSip.rejected() ? REJECTS : ACCEPTS,
                file + ": JAIN-SIP's accept/reject changed: " + jainSip.error() + " (expected because: "
                        + expected.why() + ")");
        if (sipHa == OK && !jainSip.rejected()) {
            List<Mismatch> mismatches = JainSipFieldComparison.compare(view, jainSip.message());
            Set<String> fields =
                    mismatches.stream().map(Mismatch::field).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(
                    new TreeSet<>(expected.differingFields()),
                    fields,
                    file + " disagrees ("
                            + (expected.differingFields().isEmpty() ? "no difference is documented" : expected.why())
                            + "):\n  "
                            + mismatches.stream().map(Mismatch::toString).collect(Collectors.joining("\n  ")));
        }
        CHECKED.incrementAndGet();
    }

    @Test
    void everyDocumentedRejectionIsACorpusFileWithAReason() {
        List<String> files = corpus().toList();
        assertTrue(files.size() >= MIN_CORPUS_SIZE, "corpus has only " + files.size() + " messages");
        EXPECTED.forEach((file, e) -> {
            assertTrue(files.contains(file), "expectation for a missing corpus file: " + file);
            assertTrue(
                    e.sipHa() != OK
                            || e.jainSip() == REJECTS
                            || !e.differingFields().isEmpty(),
                    file + " is listed but both parsers accept it and agree");
            assertFalse(e.why().isBlank(), file + ": say why");
        });
    }

    @AfterAll
    static void atLeastFiftyCorpusFilesWereChecked() {
        assertTrue(CHECKED.get() >= MIN_CORPUS_SIZE, "only " + CHECKED.get() + " corpus files were checked");
    }

    /** sip-ha's verdict: framing, then {@code validate()}, then every field a proxy decodes. */
    private static SipParseResult sipHaOutcome(SipMessageView v, byte[] bytes) {
        SipParseResult r = v.wrap(bytes, 0, bytes.length);
        if (r != OK) {
            return r;
        }
        r = v.validate();
        if (r != OK) {
            return r;
        }
        try {
            if (v.isRequest()) {
                v.parsedRequestUri();
            }
            for (int i = 0; i < v.viaCount(); i++) {
                v.via(i);
            }
            v.from().uri();
            v.to().uri();
            for (int i = 0; i < v.routeCount(); i++) {
                v.route(i).uri();
            }
            for (int i = 0; i < v.recordRouteCount(); i++) {
                v.recordRoute(i).uri();
            }
            for (int i = 0; i < v.contactCount(); i++) {
                v.contact(i).uri();
            }
            return OK;
        } catch (SipSyntaxException e) {
            return e.result();
        }
    }

    private static Path corpusDir() {
        try {
            return Path.of(JainSipDifferentialTest.class.getResource("/corpus").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map.Entry<String, Expected> rejected(
            String file, SipParseResult sipHa, JainSip jainSip, String why) {
        return Map.entry(file, new Expected(sipHa, jainSip, Set.of(), why));
    }

    private static Map.Entry<String, Expected> differs(String file, String why, String... fields) {
        return Map.entry(file, new Expected(OK, ACCEPTS, Set.of(fields), why));
    }

    /** JAIN-SIP's verdict on a message. */
    enum JainSip {
        ACCEPTS,
        REJECTS
    }

    /**
     * What one corpus message is expected to do: sip-ha's outcome ({@code OK} = accepted), JAIN-SIP's verdict,
     * the fields on which the two parses of a message both accept legitimately differ, and why.
     */
    private record Expected(SipParseResult sipHa, JainSip jainSip, Set<String> differingFields, String why) {}

    /** JAIN-SIP's verdict on one message: the parsed message, or the error that made it reject the message. */
    private record JainOutcome(SIPMessage message, Exception error) {
        static JainOutcome parse(byte[] bytes) {
            try {
                SIPMessage m = new StringMsgParser()
                        .parseSIPMessage(bytes, true, false, (ex, msg, headerClass, header, raw) -> {
                            throw ex;
                        });
                return m == null
                        ? new JainOutcome(null, new ParseException("no message", 0))
                        : new JainOutcome(m, null);
            } catch (ParseException | RuntimeException e) {
                return new JainOutcome(null, e);
            }
        }

        boolean rejected() {
            return error != null;
        }
    }
}
