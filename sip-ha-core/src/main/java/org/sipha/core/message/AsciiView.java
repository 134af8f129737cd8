package org.sipha.core.message;

import java.nio.charset.StandardCharsets;

/**
 * A reusable, zero-copy {@link CharSequence} over a range of bytes (a flyweight in the Agrona sense).
 *
 * <p>{@link #length()} and {@link #charAt(int)} work on bytes: SIP's grammar is ASCII, so for every protocol
 * element they are the characters. {@link #toString()} decodes UTF-8 (display names and reason phrases may
 * hold UTF-8) and allocates; call it only off the hot path.
 *
 * <p>Not thread-safe. A view handed out by a {@link SipMessageView} stays valid until that message view is
 * wrapped around other bytes.
 */
public final class AsciiView implements CharSequence {
    private byte[] buffer;
    private int offset;
    private int length;

    public AsciiView() {}

    /** Points this view at {@code length} bytes of {@code buffer} from {@code offset}; no copy. */
    public AsciiView wrap(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** The backing array (not a copy). */
    public byte[] buffer() {
        return buffer;
    }

    /** Offset of the first byte in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + length + ")");
        }
        return (char) (buffer[offset + index] & 0xff);
    }

    /** Allocates a new String; off the hot path only. */
    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) {
            throw new IndexOutOfBoundsException("range [" + start + ", " + end + ") outside [0, " + length + ")");
        }
        return new String(buffer, offset + start, end - start, StandardCharsets.UTF_8);
    }

    /** True if the bytes equal the chars of {@code s} exactly. */
    public boolean contentEquals(CharSequence s) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((buffer[offset + i] & 0xff) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True if the bytes equal the chars of {@code s}, ignoring ASCII case. */
    public boolean contentEqualsIgnoreCase(CharSequence s) {
        return Bytes.equalsIgnoreCase(buffer, offset, length, s);
    }

    /** Parses the bytes as an unsigned decimal number; -1 if they are not one or exceed {@code Long.MAX_VALUE / 10}. */
    public long parseLong() {
        return Bytes.parseDigits(buffer, offset, offset + length, Long.MAX_VALUE / 10);
    }

    /** Copies the bytes into {@code dst} at {@code dstOffset}; returns the offset after the last byte written. */
    public int copyTo(byte[] dst, int dstOffset) {
        System.arraycopy(buffer, offset, dst, dstOffset, length);
        return dstOffset + length;
    }

    /** A hash of the bytes (FNV-1a), stable across runs; for hashing-based selection without a String. */
    public int contentHash() {
        int h = 0x811c9dc5;
        for (int i = 0; i < length; i++) {
            h ^= buffer[offset + i] & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    /** Decodes the bytes as UTF-8 into a new String; allocates. */
    @Override
    public String toString() {
        return buffer == null ? "" : new String(buffer, offset, length, StandardCharsets.UTF_8);
    }
}
