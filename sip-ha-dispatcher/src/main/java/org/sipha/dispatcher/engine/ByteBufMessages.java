package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import org.sipha.core.message.ByteSink;
import org.sipha.core.message.ByteSource;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;

/**
 * Netty buffers in and out of core's message view and editor. A heap buffer is framed in place; a direct one is
 * copied once into the view's own scratch array (so the loop's two views never share a copy). An edited message
 * is appended in one bulk write per range. Stateless and allocation-free; each call runs on the thread that owns
 * the view or editor it is given.
 */
final class ByteBufMessages {
    /** Copies a buffer's readable bytes, leaving its reader index as it is. */
    private static final ByteSource<ByteBuf> READABLE = (b, dst, n) -> b.getBytes(b.readerIndex(), dst, 0, n);

    private static final ByteSink<ByteBuf> APPEND = ByteBuf::writeBytes;

    private ByteBufMessages() {}

    /** Frames the readable bytes of {@code buffer} as a datagram; its indexes are not changed. */
    static SipParseResult wrap(SipMessageView view, ByteBuf buffer) {
        int len = buffer.readableBytes();
        if (buffer.hasArray()) {
            return view.wrap(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), len);
        }
        return view.wrapCopy(READABLE, buffer, len);
    }

    /** Appends the message {@code editor} holds to {@code out}, growing it once if needed; returns bytes written. */
    static int writeTo(SipMessageEditor editor, ByteBuf out) {
        out.ensureWritable(editor.outputLength());
        return editor.writeTo(APPEND, out);
    }
}
