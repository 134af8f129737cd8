package org.sipha.galera.config;

/**
 * What a {@link ConfigWatcher} last did, for a status page and logs. Immutable; replaced whole.
 *
 * @param appliedVersion        the version in force here, 0 if none
 * @param appliedFrom           where it came from
 * @param appliedAtMillis       when it was applied here (epoch ms), 0 if never
 * @param activeVersionSeen     the active version the last successful poll saw, 0 if none
 * @param refusedVersion        the newest version refused here, 0 if none
 * @param refusedReason         why, or null
 * @param lastPollOkAtMillis    when a poll last succeeded (epoch ms), 0 if never
 * @param consecutivePollFailures polls failed since the last success (no quorate node, an error)
 * @param lastPollError         the last poll failure, or null
 * @param localCopyError        why the local copy could not be written or read, or null
 */
public record ConfigWatchStatus(
        long appliedVersion,
        Source appliedFrom,
        long appliedAtMillis,
        long activeVersionSeen,
        long refusedVersion,
        String refusedReason,
        long lastPollOkAtMillis,
        long consecutivePollFailures,
        String lastPollError,
        String localCopyError) {
    /** Where the version in force came from. */
    public enum Source {
        NONE,
        DATABASE,
        LOCAL_COPY
    }

    static ConfigWatchStatus initial() {
        return new ConfigWatchStatus(0, Source.NONE, 0, 0, 0, null, 0, 0, null, null);
    }

    /** A version applied; a refusal of an older version is over. */
    ConfigWatchStatus applied(long version, Source from, long atMillis) {
        boolean refusalOver = version > refusedVersion;
        return new ConfigWatchStatus(
                version,
                from,
                atMillis,
                activeVersionSeen,
                refusalOver ? 0 : refusedVersion,
                refusalOver ? null : refusedReason,
                lastPollOkAtMillis,
                consecutivePollFailures,
                lastPollError,
                localCopyError);
    }

    ConfigWatchStatus refused(long version, String reason) {
        return new ConfigWatchStatus(
                appliedVersion,
                appliedFrom,
                appliedAtMillis,
                activeVersionSeen,
                version,
                reason,
                lastPollOkAtMillis,
                consecutivePollFailures,
                lastPollError,
                localCopyError);
    }

    ConfigWatchStatus pollOk(long active, long atMillis) {
        return new ConfigWatchStatus(
                appliedVersion,
                appliedFrom,
                appliedAtMillis,
                active,
                refusedVersion,
                refusedReason,
                atMillis,
                0,
                null,
                localCopyError);
    }

    ConfigWatchStatus pollFailed(String error) {
        return new ConfigWatchStatus(
                appliedVersion,
                appliedFrom,
                appliedAtMillis,
                activeVersionSeen,
                refusedVersion,
                refusedReason,
                lastPollOkAtMillis,
                consecutivePollFailures + 1,
                error,
                localCopyError);
    }

    ConfigWatchStatus localCopy(String error) {
        return new ConfigWatchStatus(
                appliedVersion,
                appliedFrom,
                appliedAtMillis,
                activeVersionSeen,
                refusedVersion,
                refusedReason,
                lastPollOkAtMillis,
                consecutivePollFailures,
                lastPollError,
                error);
    }
}
