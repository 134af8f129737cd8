package org.sipha.galera;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/** Creating a spool's files: owner-only permissions from the start (CDRs are billing data), directory fsync. */
final class SpoolFiles {
    private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];

    private SpoolFiles() {}

    /** The file next to {@code spool} named {@code <spool>.<suffix>}. */
    static Path sibling(Path spool, String suffix) {
        return spool.resolveSibling(spool.getFileName() + "." + suffix);
    }

    /** Creation attributes for mode 0600 where the file system has POSIX permissions (none elsewhere). */
    static FileAttribute<?>[] ownerOnly(Path file) {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return NONE;
        }
        return new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
        };
    }

    /** Makes a file's creation or rename in its directory durable. */
    static void forceDirectory(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot fsync a directory; the rename itself is still atomic
        }
    }
}
