package org.sipha.galera.config;

import java.time.Instant;
import java.util.Objects;

/**
 * One numbered configuration version as stored: who published it, when and why, and its content. Versions only
 * grow; a rollback publishes an older version's content again under a new number ({@link #rolledBackFrom()}).
 * Immutable; any thread.
 *
 * @param number         the version, from 1
 * @param createdAt      when it was published (the database's clock)
 * @param createdBy      who published it
 * @param comment        why, as the publisher wrote it; empty for none
 * @param rolledBackFrom the version whose content this one republishes, 0 if none
 * @param content        the destination rows and Record-Route secrets
 */
public record ConfigVersion(
        long number, Instant createdAt, String createdBy, String comment, long rolledBackFrom, ConfigContent content) {
    public ConfigVersion {
        if (number < 1) {
            throw new IllegalArgumentException("version numbers start at 1: " + number);
        }
        Objects.requireNonNull(createdAt, "createdAt");
        createdBy = createdBy == null ? "" : createdBy;
        comment = comment == null ? "" : comment;
        Objects.requireNonNull(content, "content");
    }

    /** One line for logs: number, time, author, comment, content summary (no secrets). */
    public String describe() {
        return "version " + number + " of " + createdAt + " by " + createdBy
                + (rolledBackFrom > 0 ? " (rollback to version " + rolledBackFrom + ")" : "")
                + (comment.isEmpty() ? "" : ": " + comment) + " [" + content + "]";
    }
}
