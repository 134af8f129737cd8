package org.sipha.galera.config;

import java.time.Instant;

/**
 * One version as {@link GaleraConfigStore#list} shows it. Immutable.
 *
 * @param number         the version
 * @param createdAt      when it was published
 * @param createdBy      who published it
 * @param comment        why
 * @param rolledBackFrom the version it republishes, 0 if none
 * @param rows           how many destination rows it has
 * @param keyId          the Record-Route key id, null when the proxies' own secrets apply
 * @param previousKeyId  the previous key id, or null
 * @param active         whether it is the version in force
 */
public record VersionSummary(
        long number,
        Instant createdAt,
        String createdBy,
        String comment,
        long rolledBackFrom,
        int rows,
        String keyId,
        String previousKeyId,
        boolean active) {}
