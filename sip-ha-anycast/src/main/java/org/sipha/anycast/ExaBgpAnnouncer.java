package org.sipha.anycast;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Announces through ExaBGP 4.2's text API, by writing {@code announce route ...} / {@code withdraw route ...}
 * lines into a FIFO that ExaBGP's API helper relays to ExaBGP:
 * <pre>
 * process ctl { run /etc/exabgp/relay.sh /run/sipha/exabgp.fifo; encoder text; }
 * neighbor 192.0.2.1 { ...; api { processes [ ctl ]; } }
 *
 * relay.sh:  exec 3&lt; "$1"; while IFS= read -r l &lt;&amp;3; do printf '%s\n' "$l"; done; printf 'shutdown\n'; sleep 5
 * </pre>
 * Why a FIFO and not running as ExaBGP's API process: in 4.2 the death of the API process does not withdraw
 * anything, whatever {@code api.respawn}/{@code api.terminate} say; the relay instead tells ExaBGP to shut down
 * when the last writer of the FIFO (this JVM and the dead-man relay) is gone.
 *
 * <p>The FIFO is opened read-write so the open never blocks even while ExaBGP is down; lines written meanwhile
 * are buffered by the kernel and read, in order, by the next helper. ExaBGP (with {@code api.ack=false}) gives no
 * read-back, so {@link #observe()} is empty and the controller re-applies the decision every reconcile period,
 * which also re-announces after ExaBGP restarts.
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}).
 */
public final class ExaBgpAnnouncer implements RouteAnnouncer {
    private static final Pattern PREFIX = Pattern.compile("[0-9A-Fa-f:.]+/[0-9]{1,3}");
    private static final Pattern ATTRIBUTES = Pattern.compile("[A-Za-z0-9 \\[\\]:._-]*");

    private final Path fifo;
    private final String prefix;
    private final String drainAttributes;
    private FileChannel channel;

    /**
     * @param prefix          e.g. {@code 198.51.100.10/32}
     * @param drainAttributes appended to the announce line while draining, e.g.
     *                        {@code community [65535:0] as-path [65002 65002]}
     * @throws IllegalArgumentException on a malformed prefix or attributes that could inject API commands
     */
    public ExaBgpAnnouncer(Path fifo, String prefix, String drainAttributes) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("not a prefix: " + prefix);
        }
        if (!ATTRIBUTES.matcher(drainAttributes).matches()) {
            throw new IllegalArgumentException(
                    "drain attributes may hold only letters, digits, spaces and " + "[]:._- : " + drainAttributes);
        }
        this.fifo = fifo;
        this.prefix = prefix;
        this.drainAttributes = drainAttributes.strip();
    }

    @Override
    public String name() {
        return "exabgp:" + fifo;
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        String line = switch (target) {
            case ANNOUNCE -> "announce route " + prefix + " next-hop self";
            case DRAIN ->
                "announce route " + prefix + " next-hop self"
                        + (drainAttributes.isEmpty() ? "" : " " + drainAttributes);
            case WITHDRAW -> "withdraw route " + prefix + " next-hop self";
        };
        write(line + "\n");
    }

    /** Opens the FIFO now, so that the dead-man relay's withdraw is a single write. */
    @Override
    public void refreshConnection() throws AnnouncerException {
        write("");
    }

    private void write(String text) throws AnnouncerException {
        try {
            if (channel == null) {
                if (!Files.exists(fifo)) {
                    throw new AnnouncerException("exabgp: FIFO " + fifo + " does not exist (mkfifo it and point "
                            + "ExaBGP's relay helper at it)");
                }
                // READ+WRITE = O_RDWR: does not block when no reader exists yet (Linux)
                channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            close();
            throw new AnnouncerException("exabgp: writing to " + fifo + " failed: " + e, e);
        }
    }

    @Override
    public Optional<RouteAnnouncement> observe() {
        return Optional.empty();
    }

    @Override
    public List<String> spec() {
        return List.of(
                AnnouncerSpec.EXABGP,
                fifo.toString(),
                prefix,
                drainAttributes.isEmpty() ? AnnouncerSpec.NONE : drainAttributes);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            channel = null;
        }
    }
}
