package org.sipha.dispatcher.engine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Record-Route keys of a deployment at one moment: the current key, which signs Record-Route tokens and Via
 * branches, and the previous one (or none), under which they still verify. An immutable snapshot, published whole
 * through a {@link RecordRouteKeyRing}; {@link #toString()} names the keys by id, never shows them. Any thread.
 */
public final class RecordRouteKeys {
    /** The shortest key accepted, bytes. */
    public static final int MIN_KEY_BYTES = 16;

    private final byte[] current;
    private final byte[] previous;

    private RecordRouteKeys(byte[] current, byte[] previous) {
        if (current == null || current.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("record-route-secret: a shared key of at least 16 bytes is required");
        }
        if (previous != null && previous.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("record-route-previous-secret: a key of at least 16 bytes is required");
        }
        this.current = current.clone();
        this.previous = previous == null ? null : previous.clone();
    }

    /**
     * Keys as raw bytes (copied).
     *
     * @param previous null when no previous key is accepted
     * @throws IllegalArgumentException if a key is shorter than {@link #MIN_KEY_BYTES}
     */
    public static RecordRouteKeys of(byte[] current, byte[] previous) {
        return new RecordRouteKeys(current, previous);
    }

    /** Keys derived from passphrases (SHA-256 of their UTF-8 bytes), as the configuration files give them. */
    public static RecordRouteKeys fromSecrets(String current, String previous) {
        Objects.requireNonNull(current, "current");
        return new RecordRouteKeys(
                HmacSha256.keyFromSecret(current), previous == null ? null : HmacSha256.keyFromSecret(previous));
    }

    /** The key that signs (a copy). */
    public byte[] current() {
        return current.clone();
    }

    /** The key still accepted (a copy), or null. */
    public byte[] previous() {
        return previous == null ? null : previous.clone();
    }

    /** Four hex digits naming the current key, as tokens carry it in {@code shk}. */
    public String currentKeyId() {
        return keyId(current);
    }

    /** Four hex digits naming the previous key, or null. */
    public String previousKeyId() {
        return previous == null ? null : keyId(previous);
    }

    /** True if {@code key} has the bytes of the current key (no copy; for signers reusing their state). */
    boolean currentEquals(byte[] key) {
        return key != null && MessageDigest.isEqual(current, key);
    }

    /** True if {@code key} has the bytes of the previous key. */
    boolean previousEquals(byte[] key) {
        return previous != null && key != null && MessageDigest.isEqual(previous, key);
    }

    byte[] currentNoCopy() {
        return current;
    }

    byte[] previousNoCopy() {
        return previous;
    }

    static String keyId(byte[] key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key);
            return String.format("%02x%02x", d[0] & 0xff, d[1] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordRouteKeys k
                && Arrays.equals(current, k.current)
                && Arrays.equals(previous, k.previous);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(current) + Arrays.hashCode(previous);
    }

    @Override
    public String toString() {
        return "keys{current " + currentKeyId() + (previous == null ? "" : ", previous " + previousKeyId()) + '}';
    }
}
