package org.sipha.galera.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The last good configuration version on local disk, so a proxy restarted while no database node is quorate starts
 * with it. Written atomically (a temporary file in the same directory, fsync'd, renamed over the old one, the
 * directory fsync'd) with mode 0600, since it holds the Record-Route secrets. Text, one field per line, free text in
 * base64, closed by the SHA-256 of everything before it; a file that does not check out is refused whole:
 *
 * <pre>
 * sipha-config 1
 * version 42
 * created-at 2026-11-24T10:15:30.123Z
 * created-by b64:...
 * comment b64:...
 * rolled-back-from 0
 * rr-secret b64:...            (or -)
 * rr-previous-secret -
 * row 1 0 0 b64:sip:10.0.0.11:5060 b64:weight=50 b64:
 * sha256 3f2a...
 * </pre>
 *
 * <p>Not thread-safe: one writer (the watcher's thread); reads at start.
 */
public final class LocalConfigCopy {
    private static final String MAGIC = "sipha-config 1";
    private static final String NONE = "-";

    private final Path file;

    public LocalConfigCopy(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    /** Replaces the copy with {@code v}, atomically. */
    public void write(ConfigVersion v) throws IOException {
        String text = format(v);
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened for fsync; the rename is done either way
        }
    }

    /**
     * The version in the copy; empty if there is no copy.
     *
     * @throws IOException if it cannot be read, or is damaged (bad checksum or format), naming the problem
     */
    public Optional<ConfigVersion> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int sumAt = text.lastIndexOf("sha256 ");
        if (!text.startsWith(MAGIC + "\n") || sumAt < 0) {
            throw new IOException(file + ": not a configuration copy");
        }
        String body = text.substring(0, sumAt);
        String sum = text.substring(sumAt + 7).strip();
        if (!sum.equals(sha256(body))) {
            throw new IOException(file + ": checksum mismatch, the copy is damaged");
        }
        try {
            return Optional.of(parse(body));
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static String format(ConfigVersion v) {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        sb.append("version ").append(v.number()).append('\n');
        sb.append("created-at ").append(v.createdAt()).append('\n');
        sb.append("created-by ").append(b64(v.createdBy())).append('\n');
        sb.append("comment ").append(b64(v.comment())).append('\n');
        sb.append("rolled-back-from ").append(v.rolledBackFrom()).append('\n');
        sb.append("rr-secret ").append(b64(v.content().recordRouteSecret())).append('\n');
        sb.append("rr-previous-secret ")
                .append(b64(v.content().previousRecordRouteSecret()))
                .append('\n');
        for (DispatcherRow r : v.content().rows()) {
            sb.append("row ")
                    .append(r.setId())
                    .append(' ')
                    .append(r.flags())
                    .append(' ')
                    .append(r.priority())
                    .append(' ')
                    .append(b64(r.destination()))
                    .append(' ')
                    .append(b64(r.attrs()))
                    .append(' ')
                    .append(b64(r.description()))
                    .append('\n');
        }
        String body = sb.toString();
        return body + "sha256 " + sha256(body) + "\n";
    }

    private static ConfigVersion parse(String body) {
        String[] lines = body.split("\n");
        long number = Long.parseLong(field(lines, 1, "version"));
        Instant createdAt = Instant.parse(field(lines, 2, "created-at"));
        String createdBy = unb64(field(lines, 3, "created-by"));
        String comment = unb64(field(lines, 4, "comment"));
        long from = Long.parseLong(field(lines, 5, "rolled-back-from"));
        String secret = unb64(field(lines, 6, "rr-secret"));
        String previous = unb64(field(lines, 7, "rr-previous-secret"));
        List<DispatcherRow> rows = new ArrayList<>();
        for (int i = 8; i < lines.length; i++) {
            String[] f = field(lines, i, "row").split(" ", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException("line " + (i + 1) + ": a row has 6 fields");
            }
            rows.add(new DispatcherRow(
                    Integer.parseInt(f[0]),
                    unb64(f[3]),
                    Integer.parseInt(f[1]),
                    Integer.parseInt(f[2]),
                    unb64(f[4]),
                    unb64(f[5])));
        }
        return new ConfigVersion(
                number, createdAt, createdBy, comment, from, new ConfigContent(rows, secret, previous));
    }

    private static String field(String[] lines, int i, String name) {
        if (i >= lines.length || !lines[i].startsWith(name + " ")) {
            throw new IllegalArgumentException("line " + (i + 1) + ": expected '" + name + "'");
        }
        return lines[i].substring(name.length() + 1);
    }

    private static String b64(String s) {
        return s == null ? NONE : "b64:" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        if (s.equals(NONE)) {
            return null;
        }
        if (!s.startsWith("b64:")) {
            throw new IllegalArgumentException("expected b64: or -, got '" + s + "'");
        }
        return new String(Base64.getDecoder().decode(s.substring(4)), StandardCharsets.UTF_8);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
