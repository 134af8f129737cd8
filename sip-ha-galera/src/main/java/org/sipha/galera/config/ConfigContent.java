package org.sipha.galera.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * What one configuration version holds: the destination rows and the Record-Route secrets. A secret is the
 * passphrase the proxies derive their Record-Route key from (as from {@code --record-route-secret-file}); null for
 * the current one means the proxies keep the secrets of their own options. {@link #toString()} names the secrets
 * by {@link #keyId}, never shows them. Immutable; any thread.
 *
 * @param rows                   the destination rows, in list order
 * @param recordRouteSecret      the passphrase that signs, or null
 * @param previousRecordRouteSecret the passphrase still accepted, or null
 */
public record ConfigContent(List<DispatcherRow> rows, String recordRouteSecret, String previousRecordRouteSecret) {
    /** Column size of the secrets, bytes of UTF-8. */
    static final int MAX_SECRET_BYTES = 1024;

    /** @throws IllegalArgumentException for a previous secret without a current one, or a secret over 1024 bytes */
    public ConfigContent {
        rows = List.copyOf(Objects.requireNonNull(rows, "rows"));
        if (previousRecordRouteSecret != null && recordRouteSecret == null) {
            throw new IllegalArgumentException("a previous Record-Route secret needs a current one");
        }
        for (String s : new String[] {recordRouteSecret, previousRecordRouteSecret}) {
            if (s != null && (s.isEmpty() || s.getBytes(StandardCharsets.UTF_8).length > MAX_SECRET_BYTES)) {
                throw new IllegalArgumentException(
                        "a Record-Route secret must have 1 to " + MAX_SECRET_BYTES + " bytes of UTF-8");
            }
        }
    }

    /**
     * Four hex digits naming the key derived from {@code secret}: what the proxies' Record-Route tokens carry in
     * {@code shk} (the first two bytes of SHA-256 of the key, the key being SHA-256 of the passphrase); null for
     * null.
     */
    public static String keyId(String secret) {
        if (secret == null) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
            return String.format("%02x%02x", d[0] & 0xff, d[1] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The rows as {@code dispatcher.list} text. */
    public String dispatcherList() {
        return DispatcherListText.render(rows);
    }

    @Override
    public String toString() {
        return "ConfigContent{" + rows.size() + " rows, record-route key "
                + (recordRouteSecret == null ? "of the proxies' options" : keyId(recordRouteSecret))
                + (previousRecordRouteSecret == null ? "" : ", previous " + keyId(previousRecordRouteSecret)) + '}';
    }
}
