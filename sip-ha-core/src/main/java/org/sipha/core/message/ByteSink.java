package org.sipha.core.message;

/**
 * Appends bytes to a buffer type core does not know: how {@link SipMessageEditor#writeTo(ByteSink, Object)}
 * writes an edited message into a transport's buffer without an intermediate array. Implementations are usually
 * one stateless method reference shared by every thread, e.g. {@code ByteBuffer::put}.
 *
 * @param <T> the buffer type
 */
@FunctionalInterface
public interface ByteSink<T> {
    /** Appends {@code src[offset, offset + length)} to {@code target}. */
    void write(T target, byte[] src, int offset, int length);
}
