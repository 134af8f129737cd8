package org.sipha.core.accounting;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The slots of a {@link CallEventRing} mirrored in a shared mapping of a file, so that what a loop recorded survives
 * the death of its process: the kernel keeps the mapped pages. The producer copies each event into its slot and
 * then stores {@code head}; the consumer stores {@code tail} only once the events before it are durable elsewhere.
 * At the next start {@link #recover} reads the events between the two.
 *
 * <pre>
 * header (64 bytes): magic | version | capacity | textBytes | slotBytes | ... | head @32 | tail @40
 * slot:  crc | sipCode | position | epochMs | cseq | kind | destFamily | srcFamily | - | destPort | srcPort |
 *        5 text ends | dest addr (16) | src addr (16) | text (textBytes)
 * </pre>
 * Each slot carries its ring position and a CRC32C of its content, so a torn or foreign slot is skipped and
 * counted. Pages not yet written back by the kernel are lost if the host (not the process) dies.
 *
 * <p>Threading: {@link #write} and {@link #publishHead} by the ring's producer; {@link #publishTail} by its
 * consumer; {@link #recover} by whoever owns a file no process writes any more.
 */
public final class CallEventRingFile {
    static final long MAGIC = 0x5349504841524E47L; // "SIPHARNG"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 64;
    static final int HEAD_AT = 32;
    static final int TAIL_AT = 40;
    static final int SLOT_HEADER = 96;
    private static final int TEXT_AT = 96;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MappedByteBuffer map;
    private final int slotBytes;
    private final int mask;
    /** The producer's checksum. */
    private final CRC32C crc = new CRC32C();

    private final ByteBuffer crcView;
    /**
     * The producer's encodings of the last {@link #CACHED_ADDRESSES} distinct addresses (PBXs, carriers): an
     * address is encoded (one small array from {@link InetAddress#getAddress}) only when it is not among them.
     */
    private static final int CACHED_ADDRESSES = 16;

    private final InetAddress[] cachedAddress = new InetAddress[CACHED_ADDRESSES];
    private final byte[][] cachedBytes = new byte[CACHED_ADDRESSES][];
    private int nextCached;

    private CallEventRingFile(Path path, MappedByteBuffer map, int slotBytes, int capacity) {
        this.path = path;
        this.map = map;
        this.slotBytes = slotBytes;
        this.mask = capacity - 1;
        this.crcView = map.duplicate();
    }

    static int slotBytes(int textBytes) {
        return (SLOT_HEADER + textBytes + 7) & ~7;
    }

    /** Creates a new file (it must not exist) for {@code capacity} (a power of two) slots. */
    static CallEventRingFile create(Path path, int capacity, int textBytes) throws IOException {
        int slot = slotBytes(textBytes);
        long size = HEADER_BYTES + (long) capacity * slot;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a ring file of " + capacity + " slots of " + slot + " bytes exceeds 2 GiB: lower the capacity");
        }
        try (FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
            for (long at = 0; at < size; at += zeros.capacity()) { // every block allocated now, not on a loop's store
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, at + zeros.position());
                }
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            map.load();
            map.order(ByteOrder.LITTLE_ENDIAN);
            map.putInt(8, VERSION).putInt(12, capacity).putInt(16, textBytes).putInt(20, slot);
            LONGS.setRelease(map, HEAD_AT, 0L);
            LONGS.setRelease(map, TAIL_AT, 0L);
            LONGS.setRelease(map, 0, MAGIC); // last: a file without it is refused
            return new CallEventRingFile(path, map, slot, capacity);
        }
    }

    public Path path() {
        return path;
    }

    /** Producer: copies {@code e}, recorded at ring position {@code position}, into its slot. */
    void write(long position, CallEvent e) {
        int at = HEADER_BYTES + ((int) position & mask) * slotBytes;
        MappedByteBuffer m = map;
        m.putInt(at + 4, e.sipCode());
        m.putLong(at + 8, position);
        m.putLong(at + 16, e.epochMs());
        m.putLong(at + 24, e.cseq());
        m.put(at + 32, (byte) e.kind().ordinal());
        byte[] dest = encoded(e.destination());
        byte[] src = encoded(e.source());
        m.put(at + 33, (byte) familyOf(dest));
        m.put(at + 34, (byte) familyOf(src));
        m.put(at + 35, (byte) 0);
        m.putInt(at + 36, e.destination() == null ? 0 : e.destination().getPort());
        m.putInt(at + 40, e.source() == null ? 0 : e.source().getPort());
        e.writeEnds(m, at + 44);
        putAddress(m, at + 64, dest);
        putAddress(m, at + 80, src);
        int used = e.writeText(m, at + TEXT_AT);
        crc.reset();
        crcView.limit(at + TEXT_AT + used).position(at + 4);
        crc.update(crcView);
        m.putInt(at, (int) crc.getValue());
    }

    /** Producer: everything before {@code head} is in its slot. */
    void publishHead(long head) {
        LONGS.setRelease(map, HEAD_AT, head);
    }

    /** Consumer: everything before {@code tail} is durable elsewhere; its slots may be reused. */
    void publishTail(long tail) {
        LONGS.setRelease(map, TAIL_AT, tail);
    }

    /** The address's bytes (4 or 16) from the cache, or null for none; encodes and caches one not met lately. */
    private byte[] encoded(InetSocketAddress a) {
        InetAddress ip = a == null ? null : a.getAddress();
        if (ip == null) {
            return null;
        }
        for (int i = 0; i < CACHED_ADDRESSES; i++) {
            if (ip.equals(cachedAddress[i])) {
                return cachedBytes[i];
            }
        }
        int i = nextCached;
        nextCached = (i + 1) % CACHED_ADDRESSES;
        cachedAddress[i] = ip;
        cachedBytes[i] = ip.getAddress();
        return cachedBytes[i];
    }

    private static int familyOf(byte[] address) {
        return address == null ? 0 : address.length == 4 ? 4 : 6;
    }

    /** The 16 address bytes of a slot: the address, zero-padded, or zeros for none. */
    private static void putAddress(MappedByteBuffer m, int at, byte[] address) {
        int n = address == null ? 0 : address.length;
        for (int i = 0; i < 16; i++) {
            m.put(at + i, i < n ? address[i] : 0);
        }
    }

    /** What {@link #recover} found in one file. */
    public record Recovered(Path file, long events, long skipped, String refused) {
        /** Whether the file was not a ring file at all (then nothing was read from it). */
        public boolean isRefused() {
            return refused != null;
        }
    }

    /**
     * Hands every event a dead process left in {@code file} (between its tail and head, in order) to
     * {@code handler}. A slot whose position, fields or checksum do not hold is skipped and counted; a file whose
     * header does not hold is refused, never thrown for. An exception from {@code handler} is passed on.
     */
    public static Recovered recover(Path file, CallEventHandler handler) throws IOException {
        ByteBuffer m;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES || size > Integer.MAX_VALUE) {
                return new Recovered(file, 0, 0, "size " + size);
            }
            m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (m.getLong(0) != MAGIC || m.getInt(8) != VERSION) {
            return new Recovered(file, 0, 0, "not a ring file");
        }
        int capacity = m.getInt(12);
        int textBytes = m.getInt(16);
        int slot = m.getInt(20);
        if (capacity < 1
                || Integer.bitCount(capacity) != 1
                || textBytes < 0
                || textBytes > 65_536
                || slot != slotBytes(textBytes)
                || HEADER_BYTES + (long) capacity * slot != m.capacity()) {
            return new Recovered(file, 0, 0, "bad geometry");
        }
        long head = m.getLong(HEAD_AT);
        long tail = m.getLong(TAIL_AT);
        if (tail < 0 || head < tail || head - tail > capacity) {
            return new Recovered(file, 0, 0, "bad positions: tail " + tail + ", head " + head);
        }
        CallEvent e = new CallEvent(textBytes);
        CRC32C crc = new CRC32C();
        long events = 0;
        long skipped = 0;
        for (long p = tail; p < head; p++) {
            int at = HEADER_BYTES + (int) (p & (capacity - 1)) * slot;
            if (load(m, at, p, textBytes, e, crc)) {
                handler.onEvent(e);
                events++;
            } else {
                skipped++;
            }
        }
        return new Recovered(file, events, skipped, null);
    }

    private static boolean load(ByteBuffer m, int at, long position, int textBytes, CallEvent e, CRC32C crc) {
        if (m.getLong(at + 8) != position) {
            return false;
        }
        int kind = m.get(at + 32);
        int destFamily = m.get(at + 33);
        int srcFamily = m.get(at + 34);
        int[] ends = new int[5];
        int prev = 0;
        for (int i = 0; i < 5; i++) {
            ends[i] = m.getInt(at + 44 + 4 * i);
            if (ends[i] < prev || ends[i] > textBytes) {
                return false;
            }
            prev = ends[i];
        }
        if (kind < 0 || kind >= CallEvent.KINDS.length || !family(destFamily) || !family(srcFamily)) {
            return false;
        }
        crc.reset();
        crc.update(m.duplicate().limit(at + TEXT_AT + prev).position(at + 4));
        if ((int) crc.getValue() != m.getInt(at)) {
            return false;
        }
        InetSocketAddress dest = address(m, at + 64, destFamily, m.getInt(at + 36));
        InetSocketAddress src = address(m, at + 80, srcFamily, m.getInt(at + 40));
        e.load(
                CallEvent.KINDS[kind],
                m.getLong(at + 16),
                m.getInt(at + 4),
                m.getLong(at + 24),
                ends,
                m,
                at + TEXT_AT,
                dest,
                src);
        return true;
    }

    private static boolean family(int f) {
        return f == 0 || f == 4 || f == 6;
    }

    private static InetSocketAddress address(ByteBuffer m, int at, int family, int port) {
        if (family == 0 || port < 0 || port > 65_535) {
            return null;
        }
        byte[] b = new byte[family == 4 ? 4 : 16];
        m.get(at, b);
        try {
            InetAddress a = family == 4 ? Inet4Address.getByAddress(b) : InetAddress.getByAddress(b);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException x) {
            return null; // not reached: the length is right
        }
    }
}
