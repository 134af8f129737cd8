package org.sipha.core.message;

/**
 * Copies a message out of a buffer type core does not know (a direct {@link java.nio.ByteBuffer}, a transport
 * library's buffer) into a view's scratch array: how {@link SipMessageView#wrapCopy} reads memory that has no
 * backing array. Implementations are usually one stateless lambda, shared by every thread.
 *
 * @param <T> the buffer type
 */
@FunctionalInterface
public interface ByteSource<T> {
    /**
     * Copies the first {@code length} bytes of the message {@code source} holds into {@code dst[0, length)},
     * without consuming them (the buffer's indexes stay as they were).
     */
    void copy(T source, byte[] dst, int length);
}
