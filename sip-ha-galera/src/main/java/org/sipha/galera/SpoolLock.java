package org.sipha.galera;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * One writer per spool file: an exclusive OS lock ({@link FileChannel#tryLock}) against other processes, and
 * a JVM-wide set of held files against a second {@link CdrSpool} in this JVM. The set is checked before the
 * file is opened because POSIX drops a process's lock when it closes <em>any</em> descriptor of the file: a
 * refused second open must not open and close one. Thread-safe.
 */
final class SpoolLock implements AutoCloseable {
    /** File keys (device and inode) of the spools open in this JVM; guarded by itself. */
    private static final Set<Object> HELD = new HashSet<>();

    private final Object key;
    private final FileChannel channel;

    private SpoolLock(Object key, FileChannel channel) {
        this.key = key;
        this.channel = channel;
    }

    /** Opens (creating, mode 0600) and locks the spool file. */
    static SpoolLock acquire(Path file) throws IOException {
        synchronized (HELD) {
            Object key = keyOrNull(file);
            if (key != null && HELD.contains(key)) {
                throw new SpoolLockedException(file, "by another CdrSpool in this JVM");
            }
            FileChannel channel = FileChannel.open(
                    file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    SpoolFiles.ownerOnly(file));
            String holder;
            try {
                holder = channel.tryLock() == null ? "by another process" : null;
            } catch (OverlappingFileLockException e) {
                holder = "by other code in this JVM";
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (holder != null) {
                channel.close();
                throw new SpoolLockedException(file, holder);
            }
            try {
                Object created = keyOrNull(file);
                key = created != null ? created : file.toAbsolutePath();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            HELD.add(key);
            return new SpoolLock(key, channel);
        }
    }

    private static Object keyOrNull(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : file.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    FileChannel channel() {
        return channel;
    }

    /** Closes the file, which releases the OS lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            try {
                channel.close();
            } finally {
                HELD.remove(key);
            }
        }
    }
}
