package org.sipha.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.message.ViaView;

/**
 * Parses a SIP message (a file named on the command line, or a built-in INVITE), prints the fields a proxy
 * reads, then prints the message as a proxy would forward it. A stand-in for the reference proxy until that
 * lands.
 */
public final class ParseAndPrint {
    private static final String SAMPLE = "INVITE sip:+4930123456@pbx.example.net SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-524287-1---a1b2c3;rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "Route: <sip:203.0.113.10;lr>\r\n"
            + "From: \"Carrier A\" <sip:+4989111222@carrier.example.com>;tag=as5f2e1c7a\r\n"
            + "To: <sip:+4930123456@pbx.example.net>\r\n"
            + "Call-ID: 3848276298220188511@198.51.100.7\r\n"
            + "CSeq: 102 INVITE\r\n"
            + "Contact: <sip:+4989111222@198.51.100.7:5060>\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 0\r\n"
            + "\r\n";

    private ParseAndPrint() {}

    public static void main(String[] args) throws IOException {
        byte[] bytes = args.length > 0 ? Files.readAllBytes(Path.of(args[0])) : SAMPLE.getBytes(StandardCharsets.UTF_8);
        SipMessageView msg = new SipMessageView();
        SipParseResult r = msg.wrap(bytes, 0, bytes.length);
        if (r != SipParseResult.OK) {
            System.out.println(
                    "not a SIP message: " + r + " (" + r.description() + ", would answer " + r.statusCode() + ")");
            System.exit(1);
        }
        SipParseResult valid = msg.validate();
        System.out.println(
                msg.isRequest()
                        ? "request  " + msg.method() + " " + msg.requestUri()
                        : "response " + msg.statusCode() + " " + msg.reasonPhrase());
        System.out.println("valid    " + valid);
        System.out.println("Call-ID  " + msg.callId());
        System.out.println("CSeq     " + msg.cseqNumber() + " " + msg.cseqMethod());
        for (int i = 0; i < msg.viaCount(); i++) {
            ViaView v = msg.via(i);
            System.out.println("Via[" + i + "]   " + v.transport() + " " + v.host() + ":" + v.port() + " branch="
                    + v.branch() + " rport=" + (v.hasRport() ? String.valueOf(v.rport()) : "-"));
        }
        NameAddrView from = msg.from();
        System.out.println("From     " + from.uriText() + " tag=" + from.tag());
        System.out.println("To       " + msg.to().uriText() + " tag=" + msg.to().tag());
        System.out.println("Max-Fwd  " + msg.maxForwards());
        for (int i = 0; i < msg.routeCount(); i++) {
            System.out.println("Route[" + i + "] " + msg.route(i).uriText() + " lr="
                    + msg.route(i).uri().isLooseRouting());
        }
        if (valid != SipParseResult.OK || !msg.isRequest()) {
            return;
        }
        SipMessageEditor edit = new SipMessageEditor()
                .reset(msg)
                .setTopViaReceived("198.51.100.7", 5060)
                .prependVia("SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-sipha-example")
                .prependRecordRoute("<sip:203.0.113.10;lr;ftag=example>")
                .setMaxForwards(Math.max(0, msg.maxForwards() - 1));
        if (msg.routeCount() > 0) {
            edit.removeTopRoute();
        }
        byte[] out = new byte[edit.outputLength()];
        edit.writeTo(out, 0);
        System.out.println();
        System.out.println("--- forwarded as ---");
        System.out.print(new String(out, StandardCharsets.UTF_8));
    }
}
