package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.core.message.GeneratedMessage.HeaderLine;
import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/** The assertions behind {@link SipMessageProperties}: what a parse must find and what an edit must write. */
final class MessageChecks {
    private static final int OUT_OFFSET = 7;

    private MessageChecks() {}

    /** Every field the generator put into {@code m} is found by {@code v}, byte for byte. */
    static void assertParsedAsGenerated(SipMessageView v, GeneratedMessage m) {
        assertEquals(m.request, v.isRequest());
        if (m.request) {
            assertEquals(m.method, Latin1.of(v.method()));
            SipMethod code =
                    SipMessageGenerator.METHODS.contains(m.method) ? SipMethod.valueOf(m.method) : SipMethod.OTHER;
            assertEquals(code, v.methodCode());
            assertEquals(m.requestUri, Latin1.of(v.requestUri()));
            assertEquals(
                    m.requestUri.substring(0, m.requestUri.indexOf(':')),
                    Latin1.of(v.parsedRequestUri().scheme()));
        } else {
            assertEquals(m.statusCode, v.statusCode());
            assertEquals(m.reason, Latin1.of(v.reasonPhrase()));
        }
        assertEquals(m.callId, Latin1.of(v.callId()));
        assertEquals(m.cseq, v.cseqNumber());
        assertEquals(m.method, Latin1.of(v.cseqMethod()));
        assertEquals(m.maxForwards, v.maxForwards());
        assertEquals(m.body.length(), v.contentLength());
        assertEquals(m.body, Latin1.of(v.body()));

        assertEquals(m.vias.size(), v.viaCount());
        assertVia(m.vias.get(0), v.topVia());
        for (int i = 0; i < m.vias.size(); i++) {
            assertVia(m.vias.get(i), v.via(i));
        }
        assertNameAddr(m.from, v.from(), m.eol);
        assertNameAddr(m.to, v.to(), m.eol);
        assertEquals(m.routes.size(), v.routeCount());
        for (int i = 0; i < m.routes.size(); i++) {
            assertNameAddr(m.routes.get(i), v.route(i), m.eol);
        }
        assertEquals(m.recordRoutes.size(), v.recordRouteCount());
        for (int i = 0; i < m.recordRoutes.size(); i++) {
            assertNameAddr(m.recordRoutes.get(i), v.recordRoute(i), m.eol);
        }
        assertEquals(m.contacts.size(), v.contactCount());
        for (int i = 0; i < m.contacts.size(); i++) {
            assertNameAddr(m.contacts.get(i), v.contact(i), m.eol);
        }

        assertEquals(m.lines.size(), v.headerCount());
        for (int i = 0; i < m.lines.size(); i++) {
            HeaderLine l = m.lines.get(i);
            assertEquals(l.kind(), v.headerKind(i), "kind of line " + i);
            assertEquals(l.name(), Latin1.of(v.headerName(i)), "name of line " + i);
            assertEquals(l.value(), Latin1.of(v.headerValue(i)), "value of line " + i);
        }
        assertEquals(SipParseResult.OK, v.validate());
    }

    private static void assertVia(ViaSpec want, ViaView got) {
        assertEquals(want.text(), Latin1.of(got.asText()));
        assertEquals(want.protocol(), Latin1.of(got.protocol()));
        assertEquals(want.transport(), Latin1.of(got.transport()));
        assertEquals(want.host(), Latin1.of(got.host()));
        assertEquals(want.port(), got.port());
        assertEquals(want.branch(), Latin1.of(got.branch()));
        assertEquals(
                want.branch() != null
                        && want.branch().startsWith("z9hG4bK")
                        && want.branch().length() > 7,
                got.hasRfc3261Branch());
        assertEquals(want.received(), Latin1.of(got.received()));
        assertEquals(want.hasRport(), got.hasRport());
        assertEquals(want.rport(), got.rport());
    }

    private static void assertNameAddr(NameAddrSpec want, NameAddrView got, String eol) {
        assertEquals(want.text(eol), Latin1.of(got.asText()));
        assertEquals(want.expectedDisplayName(), Latin1.of(got.displayName()));
        assertEquals(want.uri(), Latin1.of(got.uriText()));
        assertEquals(want.tag(), Latin1.of(got.tag()));
        SipUriView uri = got.uri();
        assertEquals(want.uriHost(), Latin1.of(uri.host()));
        assertEquals(want.uriPort(), uri.port());
        assertEquals(want.lr(), uri.isLooseRouting());
    }

    /**
     * Applies {@code edits} to {@code m} framed as a datagram or, after a CRLF keep-alive, on a stream, and
     * checks the output against {@link EditOracle}: predicted bytes everywhere, the edits visible to a parse.
     */
    static void assertEditedAsPredicted(GeneratedMessage m, List<MessageEdit> edits, boolean stream) {
        byte[] msg = m.bytes();
        byte[] in = new byte[msg.length + 5];
        in[0] = 'x';
        in[1] = '\r';
        in[2] = '\n';
        System.arraycopy(msg, 0, in, 3, msg.length);
        SipMessageView v = new SipMessageView();
        SipParseResult r = stream ? v.wrapStream(in, 1, in.length - 1) : v.wrap(in, 3, msg.length);
        assertEquals(SipParseResult.OK, r);
        SipMessageEditor editor = new SipMessageEditor().reset(v);
        edits.forEach(e -> e.applyTo(editor));

        byte[] out = new byte[OUT_OFFSET + editor.outputLength()];
        assertEquals(editor.outputLength(), editor.writeTo(out, OUT_OFFSET));
        ByteBuf buf = Unpooled.buffer(1);
        assertEquals(editor.outputLength(), editor.writeTo(buf));
        byte[] viaByteBuf = new byte[buf.readableBytes()];
        buf.readBytes(viaByteBuf);
        assertArrayEquals(Arrays.copyOfRange(out, OUT_OFFSET, out.length), viaByteBuf);

        SipMessageView w = new SipMessageView();
        assertEquals(SipParseResult.OK, w.wrap(out, OUT_OFFSET, out.length - OUT_OFFSET), "edited output parses");
        EditOracle o = new EditOracle(m, edits);
        assertBytesAsPredicted(o, w, m, Latin1.of(out, OUT_OFFSET, out.length - OUT_OFFSET));

        assertEquals(o.vias.size(), w.viaCount());
        for (int i = 0; i < o.vias.size(); i++) {
            if (o.vias.get(i) != null) {
                assertEquals(o.vias.get(i), Latin1.of(w.via(i).asText()), "Via " + i);
            }
        }
        assertEquals(o.routeCount, w.routeCount());
        assertEquals(o.recordRouteCount, w.recordRouteCount());
        assertEquals(o.maxForwards, w.maxForwards());
        assertEquals(m.body.length(), w.contentLength());
        assertEquals(m.body, Latin1.of(w.body()));
        assertEquals(o.vias.isEmpty() ? SipParseResult.MISSING_HEADER : SipParseResult.OK, w.validate());
    }

    private static void assertBytesAsPredicted(EditOracle o, SipMessageView w, GeneratedMessage m, String out) {
        assertTrue(out.startsWith(o.startLine), () -> "start line of\n" + out);
        int pos = o.startLine.length();
        for (EditOracle.Line l : o.lines) {
            if (!l.isModifiedTopVia()) {
                int at = pos;
                assertTrue(
                        out.startsWith(l.exact(), pos),
                        () -> "expected " + show(l.exact()) + " at " + at + " of\n" + show(out));
                pos += l.exact().length();
                continue;
            }
            ViaView top = w.via(o.vias.indexOf(null));
            int valueStart = top.asText().offset() - OUT_OFFSET;
            int valueEnd = valueStart + top.asText().length();
            assertEquals(l.beforeTopVia(), out.substring(pos, valueStart), "text before the stamped Via");
            assertTrue(out.startsWith(l.afterTopVia(), valueEnd), () -> "text after the stamped Via in\n" + show(out));
            EditOracle.checkReceived(top, m.vias.get(0), o.received);
            pos = valueEnd + l.afterTopVia().length();
        }
        assertEquals(show(o.tail), show(out.substring(pos)), "empty line and body");
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n\n");
    }

    /**
     * For any framed message, valid or not: each edit the message allows either throws the typed error while
     * reading the header it edits, or yields output that frames again. The edits are chosen so that none is a
     * documented misuse (no Via or Route to remove, Request-URI of a response).
     */
    static void editsOfAnyFramedMessageReparse(SipMessageView v, SipParseLimits outputLimits) {
        if (v.parseResult() != SipParseResult.OK) {
            return;
        }
        List<Consumer<SipMessageEditor>> edits = new ArrayList<>();
        edits.add(e -> e.prependVia("SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bKprop"));
        edits.add(e -> e.prependRecordRoute("<sip:192.0.2.7;lr>"));
        edits.add(e -> e.setMaxForwards(69));
        if (v.isRequest()) {
            edits.add(e -> e.setRequestUri("sip:bob@192.0.2.8:5070"));
        }
        if (count(v::viaCount) > 0) {
            edits.add(SipMessageEditor::removeTopVia);
            edits.add(e -> e.setTopViaReceived("192.0.2.9", 5063));
        }
        if (count(v::routeCount) > 0) {
            edits.add(SipMessageEditor::removeTopRoute);
        }
        SipMessageEditor editor = new SipMessageEditor();
        SipMessageView out = new SipMessageView(outputLimits);
        for (Consumer<SipMessageEditor> edit : edits) {
            AccessorSweep.attempt("edit", () -> {
                edit.accept(editor.reset(v));
                byte[] b = new byte[editor.outputLength()];
                editor.writeTo(b, 0);
                assertEquals(SipParseResult.OK, out.wrap(b, 0, b.length), () -> "edited output of\n" + v);
                assertFalse(out.toString().isEmpty());
            });
        }
    }

    private static int count(IntSupplier s) {
        try {
            return s.getAsInt();
        } catch (SipSyntaxException e) {
            return 0;
        }
    }
}
