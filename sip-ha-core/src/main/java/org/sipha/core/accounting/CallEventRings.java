package org.sipha.core.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sipha.core.spi.CallAccounting;
import org.sipha.core.spi.CallAccountingSink;

/**
 * Call accounting through one {@link CallEventRing} per event loop, drained by one writer thread: the engine's
 * {@link CallAccounting}. Each {@link #sinkForLoop} makes a new ring (so two engines built from one configuration
 * never share a producer); the writer drains them all. Made with a file prefix ({@link #inFiles}), each ring mirrors
 * its slots in the file {@code <prefix>.ring-<n>} ({@link CallEventRingFile}), so that the events not yet released
 * survive a crash of the process; {@link #takeOver} hands the files of a previous process to its recovery.
 *
 * <p>Threading: {@link #sinkForLoop} from any thread (while engines are built); {@link #drain}, {@link #read} and
 * {@link #release} by one consumer thread only; the counters by any thread.
 */
public final class CallEventRings implements CallAccounting {
    /** Slots per loop unless told otherwise: a few seconds of events at thousands of calls per second. */
    public static final int DEFAULT_CAPACITY = 16_384;
    /** Bytes per slot for Call-ID, tags and URIs unless told otherwise. */
    public static final int DEFAULT_TEXT_BYTES = 512;

    private final int capacity;
    private final int textBytes;
    /** Where ring files go ({@code <prefix>.ring-<n>}), or null for rings in memory only. */
    private final Path filePrefix;

    private final AtomicInteger filesMade = new AtomicInteger();
    private final AtomicReference<CallEventRing[]> rings = new AtomicReference<>(new CallEventRing[0]);

    /** {@link #DEFAULT_CAPACITY} slots of {@link #DEFAULT_TEXT_BYTES} per loop. */
    public CallEventRings() {
        this(DEFAULT_CAPACITY, DEFAULT_TEXT_BYTES);
    }

    /**
     * @param capacityPerLoop slots per loop (rounded up to a power of two)
     * @param textBytes       bytes per slot for Call-ID, tags and URIs; at least 64
     */
    public CallEventRings(int capacityPerLoop, int textBytes) {
        this(capacityPerLoop, textBytes, null);
    }

    private CallEventRings(int capacityPerLoop, int textBytes, Path filePrefix) {
        if (capacityPerLoop < 1 || capacityPerLoop > (1 << 24)) {
            throw new IllegalArgumentException("capacity per loop must be in [1, 2^24]: " + capacityPerLoop);
        }
        if (textBytes < 64 || textBytes > 65_536) {
            throw new IllegalArgumentException("text bytes per slot must be in [64, 65536]: " + textBytes);
        }
        this.capacity = capacityPerLoop;
        this.textBytes = textBytes;
        this.filePrefix = filePrefix;
    }

    /**
     * Rings whose slots live in files {@code <prefix>.ring-<n>} (n from 0, in the order rings are made); a file of
     * that name must not exist yet (see {@link #takeOver}).
     *
     * @throws IllegalArgumentException if a ring file would exceed 2 GiB
     */
    public static CallEventRings inFiles(Path prefix, int capacityPerLoop, int textBytes) {
        long bytes = CallEventRingFile.HEADER_BYTES
                + (long) CallEventRing.slots(capacityPerLoop) * CallEventRingFile.slotBytes(textBytes);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a ring file of " + capacityPerLoop + " events of " + textBytes + " text bytes exceeds 2 GiB");
        }
        return new CallEventRings(capacityPerLoop, textBytes, prefix);
    }

    /**
     * Renames every ring file {@code <prefix>.ring-*} a previous process left to {@code <prefix>.recover-<n>}, so
     * new rings may take their names, and returns every {@code <prefix>.recover-*} file (those of earlier starts
     * too, if their recovery did not finish), oldest name first. Recover each with {@link CallEventRingFile#recover}
     * and delete it once its events are durable.
     */
    public static List<Path> takeOver(Path prefix) throws IOException {
        Path dir = prefix.toAbsolutePath().getParent();
        String name = prefix.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            return List.of(); // nothing left there; making a ring will say what is wrong
        }
        List<Path> rings = new ArrayList<>();
        List<Path> recover = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name + ".*")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.startsWith(name + ".ring-")) {
                    rings.add(p);
                } else if (f.startsWith(name + ".recover-")) {
                    recover.add(p);
                }
            }
        }
        int next = 0;
        for (Path p : recover) {
            next = Math.max(next, number(p, name + ".recover-") + 1);
        }
        rings.sort(null);
        for (Path p : rings) {
            Path to = dir.resolve(name + ".recover-" + next++);
            Files.move(p, to);
            recover.add(to);
        }
        recover.sort((a, b) -> Integer.compare(number(a, name + ".recover-"), number(b, name + ".recover-")));
        return recover;
    }

    private static int number(Path p, String prefix) {
        try {
            return Integer.parseInt(p.getFileName().toString().substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public CallAccountingSink sinkForLoop(int loopIndex) {
        CallEventRing ring;
        if (filePrefix == null) {
            ring = new CallEventRing(loopIndex, capacity, textBytes);
        } else {
            Path p = filePrefix.resolveSibling(filePrefix.getFileName() + ".ring-" + filesMade.getAndIncrement());
            try {
                CallEventRingFile f = CallEventRingFile.create(p, CallEventRing.slots(capacity), textBytes);
                ring = new CallEventRing(loopIndex, capacity, textBytes, f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the accounting ring file " + p, e);
            }
        }
        rings.getAndUpdate(old -> {
            CallEventRing[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = ring;
            return next;
        });
        return ring;
    }

    /** The rings made so far, in the order they were made. */
    public List<CallEventRing> rings() {
        return List.of(rings.get());
    }

    /**
     * Consumer only: drains up to {@code maxPerRing} events from each ring in turn.
     *
     * @return events handed to {@code handler}
     */
    public int drain(CallEventHandler handler, int maxPerRing) {
        int n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.drain(handler, maxPerRing);
        }
        return n;
    }

    /**
     * Consumer only: reads up to {@code maxPerRing} events from each ring in turn, without freeing their slots
     * ({@link #release}).
     *
     * @return events handed to {@code handler}
     */
    public int read(CallEventHandler handler, int maxPerRing) {
        int n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.read(handler, maxPerRing);
        }
        return n;
    }

    /** Consumer only: frees, in every ring, the slots of the events read so far (once they are durable). */
    public void release() {
        for (CallEventRing r : rings.get()) {
            r.release();
        }
    }

    /** Events dropped by every ring: full, or too long for a slot, or unreadable. */
    public long lost() {
        long n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.dropped() + r.tooLong() + r.unreadableEvents();
        }
        return n;
    }

    /** Events waiting in every ring (a snapshot). */
    public long waiting() {
        long n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.size();
        }
        return n;
    }
}
