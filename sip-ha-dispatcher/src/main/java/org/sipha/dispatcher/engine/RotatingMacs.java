package org.sipha.dispatcher.engine;

import java.util.function.Function;

/**
 * One signer's MAC state for the keys of a {@link RecordRouteKeyRing}: {@link #refresh()} loads the ring's snapshot
 * and, only when it changed, makes {@link #current} and {@link #previous} follow it, reusing the state of a key that
 * stays (the usual rotation turns the current key into the previous one). Single-threaded: the owning loop.
 */
final class RotatingMacs<M> {
    private final RecordRouteKeyRing ring;
    private final Function<byte[], M> macOfKey;
    private RecordRouteKeys seen;
    /** Signs and verifies. */
    M current;
    /** Verifies only; null when no previous key is accepted. */
    M previous;

    /** @param macOfKey the MAC state of one key ({@link HmacSha256} for tokens, {@link SipHashMac} for branches) */
    RotatingMacs(RecordRouteKeyRing ring, Function<byte[], M> macOfKey) {
        this.ring = ring;
        this.macOfKey = macOfKey;
        refresh();
    }

    /** Follows the ring: one volatile read, and new MAC state only after a rotation. */
    void refresh() {
        RecordRouteKeys k = ring.keys();
        if (k == seen) {
            return;
        }
        M c = macFor(k.currentNoCopy());
        M p = k.previousNoCopy() == null ? null : macFor(k.previousNoCopy());
        current = c;
        previous = p;
        seen = k;
    }

    private M macFor(byte[] key) {
        if (seen != null && seen.currentEquals(key)) {
            return current;
        }
        if (seen != null && seen.previousEquals(key)) {
            return previous;
        }
        return macOfKey.apply(key);
    }
}
