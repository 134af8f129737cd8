package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipMessageEditorTest {
    private static final String INVITE = "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top;rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>\r\n"
            + "From: <sip:alice@example.com>;tag=1\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 3\r\n"
            + "\r\n"
            + "abc";

    private final SipMessageView in = new SipMessageView();
    private final SipMessageEditor editor = new SipMessageEditor();

    private SipMessageEditor edit(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, in.wrap(b, 0, b.length));
        return editor.reset(in);
    }

    private static String output(SipMessageEditor e) {
        byte[] out = new byte[e.outputLength() + 4];
        int n = e.writeTo(out, 2);
        assertEquals(e.outputLength(), n);
        return new String(out, 2, n, StandardCharsets.US_ASCII);
    }

    @Test
    void withoutEditsCopiesMessageUnchanged() {
        assertEquals(INVITE, output(edit(INVITE)));
    }

    @Test
    void proxyHopEditsProduceExpectedMessage() {
        String out = output(edit(INVITE)
                .setTopViaReceived("198.51.100.9", 40000)
                .prependVia("SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-proxy")
                .prependRecordRoute("<sip:203.0.113.1;lr>")
                .removeTopRoute()
                .setMaxForwards(69)
                .setRequestUri("sip:bob@192.0.2.50:5080"));
        assertEquals(
                "INVITE sip:bob@192.0.2.50:5080 SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-proxy\r\n"
                        + "Record-Route: <sip:203.0.113.1;lr>\r\n"
                        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top;rport=40000;received=198.51.100.9\r\n"
                        + "Max-Forwards: 69\r\n"
                        + "Route: <sip:p2.example.net;lr>\r\n"
                        + "From: <sip:alice@example.com>;tag=1\r\n"
                        + "To: <sip:bob@example.com>\r\n"
                        + "Call-ID: c1\r\n"
                        + "CSeq: 1 INVITE\r\n"
                        + "Content-Length: 3\r\n"
                        + "\r\n"
                        + "abc",
                out);
        SipMessageView again = new SipMessageView();
        byte[] b = out.getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, again.wrap(b, 0, b.length));
        assertEquals(SipParseResult.OK, again.validate());
        assertEquals(2, again.viaCount());
    }

    @Test
    void removesWholeViaLineWhenItHoldsOneValue() {
        String resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-p\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u\r\nContent-Length: 0\r\n\r\n";
        assertEquals(
                "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u\r\nContent-Length: 0\r\n\r\n",
                output(edit(resp).removeTopVia()));
    }

    @Test
    void removesOnlyTopValueWhenViaLineHoldsSeveral() {
        String resp =
                "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-p ,  SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u\r\n"
                        + "l: 0\r\n\r\n";
        assertEquals(
                "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u\r\nl: 0\r\n\r\n",
                output(edit(resp).removeTopVia()));
    }

    @Test
    void removesTopViaEvenWhenALaterViaLineIsMalformed() {
        String resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-p\r\n"
                + "Via: SIP/2.0/UDP \"unterminated\r\nContent-Length: 0\r\n\r\n";
        assertEquals(
                "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP \"unterminated\r\nContent-Length: 0\r\n\r\n",
                output(edit(resp).removeTopVia()));
    }

    @Test
    void replacesExistingReceivedAndRportValues() {
        String s = INVITE.replace(";rport\r\n", ";received=192.0.2.99;rport=1\r\n");
        String out = output(edit(s).setTopViaReceived("192.0.2.1", 5061));
        assertEquals(INVITE.replace(";rport\r\n", ";received=192.0.2.1;rport=5061\r\n"), out);
    }

    @Test
    void leavesRportAloneWhenClientDidNotAskForIt() {
        String s = INVITE.replace(";rport\r\n", "\r\n");
        assertEquals(
                s.replace("z9hG4bK-top\r\n", "z9hG4bK-top;received=192.0.2.7\r\n"),
                output(edit(s).setTopViaReceived("192.0.2.7", 5060)));
    }

    @Test
    void addsMaxForwardsWhenAbsent() {
        String s = INVITE.replace("Max-Forwards: 70\r\n", "");
        assertEquals(s.replace("SIP/2.0\r\n", "SIP/2.0\r\nMax-Forwards: 70\r\n"), output(edit(s).setMaxForwards(70)));
    }

    @Test
    void addsContentLengthForAStreamWhenTheDatagramHadNone() {
        String s = INVITE.replace("Content-Length: 3\r\n", "");
        String out = output(
                edit(s).prependVia("SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK-p").frameForStream());
        assertEquals(
                s.replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nContent-Length: 3\r\n")
                        .replace("SIP/2.0\r\nVia:", "SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK-p\r\nVia:"),
                out);
        assertStreamFrames(out, "abc");
        assertEquals(INVITE, output(edit(INVITE).frameForStream()), "a Content-Length it has is kept");
        String compact = INVITE.replace("Content-Length: 3", "l: 3");
        assertEquals(compact, output(edit(compact).frameForStream()));
    }

    @Test
    void endsTheHeaderBlockOfADatagramThatStoppedShortOfIt() {
        String head = INVITE.substring(0, INVITE.indexOf("Content-Length"));
        assertEquals(head + "Content-Length: 0\r\n\r\n", output(edit(head).frameForStream()));
        String cut = head.substring(0, head.length() - 2); // ends inside the last header line
        assertEquals(cut + "\r\nContent-Length: 0\r\n\r\n", output(edit(cut).frameForStream()));
        String lf = head.replace("\r\n", "\n") + "\n"; // bare LF line ends, then the empty line
        assertStreamFrames(output(edit(lf).frameForStream()), "");
        for (String blanks : new String[] {"\r", " \t", "\t\r", " \r"}) { // the last line cut in its blanks
            assertEquals(
                    cut + "\r\nContent-Length: 0\r\n\r\n",
                    output(edit(cut + blanks).frameForStream()));
        }
        String bareCr = head + "\r"; // the empty line cut after its CR
        assertEquals(head + "Content-Length: 0\r\n\r\n", output(edit(bareCr).frameForStream()));
        String lengthThenBareCr = head + "Content-Length: 0\r\n\r"; // a Content-Length does not excuse it
        assertEquals(lengthThenBareCr + "\n", output(edit(lengthThenBareCr).frameForStream()));
    }

    private static void assertStreamFrames(String message, String body) {
        byte[] b = message.getBytes(StandardCharsets.US_ASCII);
        SipMessageView v = new SipMessageView();
        assertEquals(SipParseResult.OK, v.wrapStream(b, 0, b.length), message);
        assertEquals(b.length, v.frameLength(), message);
        assertEquals(body, v.body().toString());
    }

    @Test
    void rejectsOverlappingEdits() {
        SipMessageEditor e = edit(INVITE).removeTopVia().setTopViaReceived("192.0.2.2", 1);
        assertThrows(IllegalStateException.class, () -> e.writeTo(new byte[1000], 0));
    }

    @Test
    void rejectsHeaderTextThatWouldInjectLines() {
        assertThrows(IllegalArgumentException.class, () -> edit(INVITE).prependVia("SIP/2.0/UDP x\r\nEvil: 1"));
    }

    @Test
    void writesIntoByteBuf() {
        ByteBuf out = Unpooled.buffer(16);
        int n = edit(INVITE).setMaxForwards(5).writeTo(out);
        assertEquals(INVITE.replace("Max-Forwards: 70", "Max-Forwards: 5"), out.toString(StandardCharsets.US_ASCII));
        assertEquals(n, out.readableBytes());
    }

    @Test
    void editsAreRelativeToTheReceivedMessageNotEarlierEdits() {
        String out = output(edit(INVITE)
                .prependVia("SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-new")
                .removeTopVia());
        assertEquals(
                INVITE.replace(
                        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top;rport\r\n",
                        "Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-new\r\n"),
                out);
    }
}
