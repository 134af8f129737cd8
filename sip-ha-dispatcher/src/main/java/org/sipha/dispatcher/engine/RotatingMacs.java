package org.sipha.dispatcher.engine;

/**
 * One signer's MAC state for the keys of a {@link RecordRouteKeyRing}: {@link #refresh()} loads the ring's snapshot
 * and, only when it changed, makes {@link #current} and {@link #previous} follow it, reusing the state of a key that
 * stays (the usual rotation turns the current key into the previous one). Single-threaded: the owning loop.
 */
final class RotatingMacs {
    private final RecordRouteKeyRing ring;
    private RecordRouteKeys seen;
    /** Signs and verifies. */
    HmacSha256 current;
    /** Verifies only; null when no previous key is accepted. */
    HmacSha256 previous;

    RotatingMacs(RecordRouteKeyRing ring) {
        this.ring = ring;
        refresh();
    }

    /** Follows the ring: one volatile read, and new MAC state only after a rotation. */
    void refresh() {
        RecordRouteKeys k = ring.keys();
        if (k == seen) {
            return;
        }
        HmacSha256 c = macFor(k.currentNoCopy());
        HmacSha256 p = k.previousNoCopy() == null ? null : macFor(k.previousNoCopy());
        current = c;
        previous = p;
        seen = k;
    }

    private HmacSha256 macFor(byte[] key) {
        if (seen != null && seen.currentEquals(key)) {
            return current;
        }
        if (seen != null && seen.previousEquals(key)) {
            return previous;
        }
        return new HmacSha256(key);
    }
}
