package org.sipha.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token actions must carry ({@code Authorization: Bearer <token>}), compared in constant time: both
 * sides are hashed (SHA-256) first, so neither the token's bytes nor its length show in the time taken.
 * Immutable; any thread.
 */
final class BearerToken {
    private static final String PREFIX = "Bearer ";
    private final byte[] digest;

    BearerToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("an empty token");
        }
        this.digest = sha256(token);
    }

    /** Whether the {@code Authorization} header value {@code authorization} (may be null) carries this token. */
    boolean admits(String authorization) {
        String presented = authorization != null && authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? authorization.substring(PREFIX.length()).trim()
                : "";
        return MessageDigest.isEqual(digest, sha256(presented)) & !presented.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
