package org.sipha.galera.config;

import java.sql.SQLException;
import java.util.Optional;

/** Where a {@link ConfigWatcher} reads versions: {@link GaleraConfigStore}, or a stand-in in tests. */
public interface ConfigSource {
    /** The version in force, 0 if none; cheap enough to call every poll interval. */
    long activeVersion() throws SQLException;

    /** Version {@code number} whole, or empty if not (yet) visible. */
    Optional<ConfigVersion> read(long number) throws SQLException;

    /** The version in force whole, or empty if none was published. */
    Optional<ConfigVersion> readActive() throws SQLException;
}
