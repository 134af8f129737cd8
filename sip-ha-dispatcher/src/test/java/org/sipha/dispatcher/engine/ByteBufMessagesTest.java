package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseLimits;
import org.sipha.core.message.SipParseResult;

/** Netty buffers into a message view and out of an editor: in place when on the heap, one copy when direct. */
class ByteBufMessagesTest {
    private static final String OPTIONS = "OPTIONS sip:pbx@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
            + "Call-ID: first@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n";

    @Test
    void framesAHeapBufferInPlaceFromItsReaderIndexWithoutMovingIt() {
        byte[] bytes = ascii("junk" + OPTIONS);
        ByteBuf heap = Unpooled.wrappedBuffer(bytes).readerIndex(4);
        SipMessageView view = new SipMessageView();
        assertEquals(SipParseResult.OK, ByteBufMessages.wrap(view, heap));
        assertSame(bytes, view.buffer());
        assertEquals(4, view.messageOffset());
        assertEquals(4, heap.readerIndex());
        assertEquals("first@127.0.0.1", view.callId().toString());
    }

    @Test
    void copiesDirectBuffersIntoEachViewsOwnArraySoTwoViewsStayValid() {
        ByteBuf first = direct(OPTIONS);
        ByteBuf second = direct(OPTIONS.replace("first@", "second@"));
        try {
            assertFalse(first.hasArray());
            SipMessageView msg = new SipMessageView();
            SipMessageView aux = new SipMessageView();
            assertEquals(SipParseResult.OK, ByteBufMessages.wrap(msg, first));
            assertEquals(SipParseResult.OK, ByteBufMessages.wrap(aux, second));
            assertNotSame(msg.buffer(), aux.buffer());
            assertEquals("first@127.0.0.1", msg.callId().toString());
            assertEquals("second@127.0.0.1", aux.callId().toString());
            assertEquals(0, first.readerIndex());
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void framesABufferOfSeveralComponentsByCopying() {
        byte[] bytes = ascii(OPTIONS);
        CompositeByteBuf composite = Unpooled.compositeBuffer()
                .addComponent(true, Unpooled.wrappedBuffer(bytes, 0, 40))
                .addComponent(true, Unpooled.wrappedBuffer(bytes, 40, bytes.length - 40));
        try {
            SipMessageView view = new SipMessageView();
            assertEquals(SipParseResult.OK, ByteBufMessages.wrap(view, composite));
            assertEquals("first@127.0.0.1", view.callId().toString());
        } finally {
            composite.release();
        }
    }

    @Test
    void refusesADirectBufferOverTheSizeLimit() {
        ByteBuf direct = direct(OPTIONS);
        try {
            SipMessageView small = new SipMessageView(
                    SipParseLimits.builder().maxMessageBytes(64).build());
            assertEquals(SipParseResult.MESSAGE_TOO_LARGE, ByteBufMessages.wrap(small, direct));
        } finally {
            direct.release();
        }
    }

    @Test
    void appendsTheEditedMessageToDirectHeapAndCompositeBuffers() {
        SipMessageView view = new SipMessageView();
        byte[] in = ascii(OPTIONS);
        assertEquals(SipParseResult.OK, view.wrap(in, 0, in.length));
        SipMessageEditor editor = new SipMessageEditor()
                .reset(view)
                .setMaxForwards(69)
                .prependVia("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-proxy");
        String want = OPTIONS.replace("Max-Forwards: 70", "Max-Forwards: 69")
                .replace("Via:", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-proxy\r\nVia:");
        ByteBuf[] outs = {
            PooledByteBufAllocator.DEFAULT.directBuffer(8),
            Unpooled.buffer(8),
            Unpooled.compositeBuffer().addComponent(true, Unpooled.buffer(4))
        };
        for (ByteBuf out : outs) {
            try {
                out.writeByte('#');
                assertEquals(want.length(), ByteBufMessages.writeTo(editor, out));
                assertEquals(
                        "#" + want,
                        out.toString(StandardCharsets.US_ASCII),
                        out.getClass().getSimpleName());
            } finally {
                out.release();
            }
        }
    }

    private static ByteBuf direct(String s) {
        byte[] b = ascii(s);
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
