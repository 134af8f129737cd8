package org.sipha.anycast;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Announces through FRR's bgpd with {@code vtysh}: {@code network P} (ANNOUNCE), {@code network P route-map R}
 * (DRAIN, where the operator's route-map R sets community 65535:0 and/or a prepend), {@code no network P}
 * (WITHDRAW), in {@code router bgp ASN / address-family ipv4|ipv6 unicast}. The state is read back from
 * {@code show running-config}: a bgpd restart reloads its config file, which does not hold our runtime
 * {@code network} line, so reconciliation re-applies it.
 *
 * <p>Import check: with FRR's default {@code bgp network import-check}, a {@code network} is only advertised
 * while the prefix is in the RIB (e.g. {@code ip route P blackhole} in staticd). Either keep such a route or
 * configure {@code no bgp network import-check}; otherwise {@code network} is accepted but nothing is sent.
 *
 * <p>Success is read from vtysh's output as well as its exit code: lines starting with {@code %} are errors,
 * except "Can't find static route specified" on a withdraw (already withdrawn). Each call spawns vtysh
 * (tens of ms).
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}).
 */
public final class FrrAnnouncer implements RouteAnnouncer {
    private static final Pattern PREFIX = Pattern.compile("[0-9A-Fa-f:.]+/[0-9]{1,3}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String ALREADY_WITHDRAWN = "Can't find static route specified";

    private final String vtyshDir;
    private final long asn;
    private final String prefix;
    private final String drainRouteMap;
    private final long timeoutMs;

    /**
     * @param vtySocketDir  directory of the daemons' vty sockets ({@code vtysh --vty_socket}), or null for the
     *                      default {@code /var/run/frr}
     * @param drainRouteMap route-map applied while draining, or null to drain without marking
     */
    public FrrAnnouncer(String vtySocketDir, long asn, String prefix, String drainRouteMap, long timeoutMs) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("not a prefix: " + prefix);
        }
        if (asn < 1 || asn > 4_294_967_295L) {
            throw new IllegalArgumentException("AS number out of range: " + asn);
        }
        if (drainRouteMap != null && !WORD.matcher(drainRouteMap).matches()) {
            throw new IllegalArgumentException("bad route-map name: " + drainRouteMap);
        }
        if (vtySocketDir != null && (vtySocketDir.contains("\n") || vtySocketDir.isBlank())) {
            throw new IllegalArgumentException("bad vty socket directory: " + vtySocketDir);
        }
        this.vtyshDir = vtySocketDir;
        this.asn = asn;
        this.prefix = prefix;
        this.drainRouteMap = drainRouteMap;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String name() {
        return "frr:AS" + asn + (vtyshDir == null ? "" : "@" + vtyshDir);
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        String network = switch (target) {
            case ANNOUNCE -> "network " + prefix;
            case DRAIN ->
                drainRouteMap == null ? "network " + prefix : "network " + prefix + " route-map " + drainRouteMap;
            case WITHDRAW -> "no network " + prefix;
        };
        List<String> cmd = vtysh();
        cmd.addAll(List.of(
                "-c",
                "configure terminal",
                "-c",
                "router bgp " + asn,
                "-c",
                "address-family " + (prefix.indexOf(':') >= 0 ? "ipv6" : "ipv4") + " unicast",
                "-c",
                network));
        BoundedCommand.Result r = BoundedCommand.run(cmd, timeoutMs, name());
        String errors = errorLines(r.output(), target == RouteAnnouncement.WITHDRAW);
        boolean onlyAlreadyWithdrawn = target == RouteAnnouncement.WITHDRAW
                && errors.isEmpty()
                && r.output().contains(ALREADY_WITHDRAWN);
        if (!errors.isEmpty() || (r.exitCode() != 0 && !onlyAlreadyWithdrawn)) {
            throw new AnnouncerException(name() + ": '" + network + "' failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
    }

    private static String errorLines(String output, boolean withdrawing) {
        StringBuilder sb = new StringBuilder();
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.startsWith("%") && !(withdrawing && l.contains(ALREADY_WITHDRAWN))) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public Optional<RouteAnnouncement> observe() throws AnnouncerException {
        List<String> cmd = vtysh();
        cmd.addAll(List.of("-c", "show running-config"));
        BoundedCommand.Result r = BoundedCommand.run(cmd, timeoutMs, name());
        if (r.exitCode() != 0 || !errorLines(r.output(), false).isEmpty()) {
            throw new AnnouncerException(name() + ": show running-config failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
        boolean inOurBgp = false;
        for (String line : r.output().split("\n")) {
            String l = line.strip();
            if (l.startsWith("router bgp ")) {
                inOurBgp = l.equals("router bgp " + asn) || l.startsWith("router bgp " + asn + " ");
            } else if (inOurBgp && l.startsWith("network " + prefix)) {
                String rest = l.substring(("network " + prefix).length()).strip();
                if (rest.isEmpty()) {
                    return Optional.of(RouteAnnouncement.ANNOUNCE);
                }
                if (drainRouteMap != null && rest.equals("route-map " + drainRouteMap)) {
                    return Optional.of(RouteAnnouncement.DRAIN);
                }
                return Optional.of(RouteAnnouncement.ANNOUNCE); // someone else's route-map: still announced
            }
        }
        return Optional.of(RouteAnnouncement.WITHDRAW);
    }

    private List<String> vtysh() {
        List<String> cmd = new ArrayList<>(List.of("vtysh"));
        if (vtyshDir != null) {
            cmd.add("--vty_socket");
            cmd.add(vtyshDir);
        }
        cmd.add("-d");
        cmd.add("bgpd");
        return cmd;
    }

    @Override
    public List<String> spec() {
        return List.of(
                AnnouncerSpec.FRR,
                vtyshDir == null ? AnnouncerSpec.NONE : vtyshDir,
                Long.toString(asn),
                prefix,
                drainRouteMap == null ? AnnouncerSpec.NONE : drainRouteMap,
                Long.toString(timeoutMs));
    }

    @Override
    public void close() {}
}
