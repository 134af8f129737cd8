package org.sipha.anycast;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces through BIRD 2 by enabling and disabling static protocols over BIRD's control socket.
 *
 * <p>BIRD's configuration holds the prefix in two static protocols, both {@code disabled yes} so that a
 * freshly started BIRD announces nothing until we say so:
 * <pre>
 * protocol static sipha_up    { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
 * protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
 *     route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
 * protocol bgp upstream { ... graceful restart off; ipv4 { export where proto ~ "sipha_*"; next hop self; }; }
 * </pre>
 * ANNOUNCE = up on, drain off; DRAIN = drain on, up off; WITHDRAW = both off. Transitions switch the new
 * protocol on before switching the old one off, so the router sees one implicit replace, never a gap.
 * The drain protocol is optional; without it DRAIN keeps announcing unmarked.
 *
 * <p>Success is decided from BIRD's reply codes (0008–0011), never assumed. A broken connection is reopened
 * on the next call, which is how we survive a BIRD restart.
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}).
 */
public final class BirdProtocolAnnouncer implements RouteAnnouncer {

    private static final Logger LOG = LoggerFactory.getLogger(BirdProtocolAnnouncer.class);
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    static final int CODE_ALREADY_DISABLED = 8;
    static final int CODE_DISABLED = 9;
    static final int CODE_ALREADY_ENABLED = 10;
    static final int CODE_ENABLED = 11;
    static final int CODE_PROTOCOL_ROW = 1002;

    private final Path controlSocket;
    private final String upProtocol;
    private final String drainProtocol;
    private final long timeoutMs;
    private BirdControlSocket connection;

    /**
     * @param drainProtocol static protocol holding the marked route, or {@code null} for none
     * @param timeoutMs deadline for each control-socket exchange
     * @throws IllegalArgumentException if a protocol name is not a BIRD symbol (guards against command injection)
     */
    public BirdProtocolAnnouncer(Path controlSocket, String upProtocol, String drainProtocol, long timeoutMs) {
        this.controlSocket = controlSocket;
        this.upProtocol = checkSymbol(upProtocol);
        this.drainProtocol = drainProtocol == null ? null : checkSymbol(drainProtocol);
        this.timeoutMs = timeoutMs;
    }

    private static String checkSymbol(String name) {
        if (name == null || !SYMBOL.matcher(name).matches()) {
            throw new IllegalArgumentException("not a BIRD protocol name: " + name);
        }
        return name;
    }

    @Override
    public String name() {
        return "bird:" + controlSocket;
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        switch (target) {
            case ANNOUNCE -> {
                setEnabled(upProtocol, true);
                if (drainProtocol != null) {
                    setEnabled(drainProtocol, false);
                }
            }
            case DRAIN -> {
                if (drainProtocol != null) {
                    setEnabled(drainProtocol, true);
                    setEnabled(upProtocol, false);
                } else {
                    setEnabled(upProtocol, true);
                }
            }
            case WITHDRAW -> {
                setEnabled(upProtocol, false);
                if (drainProtocol != null) {
                    setEnabled(drainProtocol, false);
                }
            }
            default -> throw new IllegalArgumentException(String.valueOf(target));
        }
    }

    @Override
    public Optional<RouteAnnouncement> observe() throws AnnouncerException {
        boolean up = isRunning(upProtocol);
        if (up) {
            return Optional.of(RouteAnnouncement.ANNOUNCE);
        }
        if (drainProtocol != null && isRunning(drainProtocol)) {
            return Optional.of(RouteAnnouncement.DRAIN);
        }
        return Optional.of(RouteAnnouncement.WITHDRAW);
    }

    /** Re-applies the observed state a few times: every command answers "already enabled/disabled". */
    @Override
    public void warmUp() throws AnnouncerException {
        for (int i = 0; i < 20; i++) {
            apply(observe().orElseThrow());
        }
    }

    @Override
    public void refreshConnection() throws AnnouncerException {
        exchange("show status");
    }

    @Override
    public List<String> spec() {
        return List.of(
                AnnouncerSpec.BIRD,
                controlSocket.toString(),
                upProtocol,
                drainProtocol == null ? AnnouncerSpec.NONE : drainProtocol);
    }

    private void setEnabled(String protocol, boolean enable) throws AnnouncerException {
        String cmd = (enable ? "enable " : "disable ") + protocol;
        BirdReply reply = exchange(cmd);
        boolean ok = enable
                ? reply.hasCode(CODE_ENABLED) || reply.hasCode(CODE_ALREADY_ENABLED)
                : reply.hasCode(CODE_DISABLED) || reply.hasCode(CODE_ALREADY_DISABLED);
        if (reply.isError() || !ok) {
            throw new AnnouncerException("bird " + controlSocket + ": '" + cmd + "' failed: " + reply.text());
        }
    }

    private boolean isRunning(String protocol) throws AnnouncerException {
        String cmd = "show protocols " + protocol;
        BirdReply reply = exchange(cmd);
        if (reply.isError()) {
            throw new AnnouncerException("bird " + controlSocket + ": '" + cmd + "' failed: " + reply.text());
        }
        for (BirdReply.Line line : reply.lines()) {
            if (line.code() == CODE_PROTOCOL_ROW) {
                String[] cols = line.text().trim().split("\\s+");
                if (cols.length >= 4 && cols[0].equals(protocol)) {
                    return !cols[3].equals("down");
                }
            }
        }
        throw new AnnouncerException(
                "bird " + controlSocket + ": no row for protocol " + protocol + " in: " + reply.text());
    }

    /**
     * Sends one command. If an existing connection fails (BIRD restarted since we last spoke), reconnects and
     * sends it once more: every command we send is idempotent. A failure on a fresh connection is final.
     */
    private BirdReply exchange(String cmd) throws AnnouncerException {
        if (connection != null) {
            try {
                return connection.command(cmd);
            } catch (AnnouncerException e) {
                LOG.debug("control connection to {} failed ({}); reconnecting", controlSocket, e.getMessage());
                connection.close();
                connection = null;
            }
        }
        connection = BirdControlSocket.connect(controlSocket, timeoutMs);
        LOG.debug("connected to {} ({})", controlSocket, connection.banner());
        try {
            return connection.command(cmd);
        } catch (AnnouncerException e) {
            connection.close();
            connection = null;
            throw e;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
