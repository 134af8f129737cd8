package org.sipha.anycast;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Adds or removes the service address on a local (dummy or loopback) interface with iproute2's {@code ip}, for
 * routing daemons that redistribute connected routes, and for proxies that must own the address while they
 * serve it. ANNOUNCE and DRAIN both mean "address present" (an address carries no drain marking); WITHDRAW
 * removes it. Combine with a BGP announcer through {@link OrderedAnnouncer}, which removes the address only
 * after the BGP withdraw was sent.
 *
 * <p>Needs CAP_NET_ADMIN. {@code netns} (optional) runs {@code ip -n NETNS ...}, which the tests use to stay off
 * the host's interfaces.
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}); each call runs {@code ip} (a few ms).
 */
public final class LoopbackAddressAnnouncer implements RouteAnnouncer {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]+/[0-9]{1,3}");
    private static final long TIMEOUT_MS = 5_000;

    private final String address;
    private final String device;
    private final String netns;

    /**
     * @param address e.g. {@code 198.51.100.10/32}
     * @param device  e.g. {@code lo} or a dummy interface
     * @param netns   network namespace name, or null for the current one
     */
    public LoopbackAddressAnnouncer(String address, String device, String netns) {
        if (!ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("not an address/prefix-length: " + address);
        }
        if (!IFNAME.matcher(device).matches()
                || (netns != null && !IFNAME.matcher(netns).matches())) {
            throw new IllegalArgumentException("bad interface or namespace name: " + device + " / " + netns);
        }
        this.address = address;
        this.device = device;
        this.netns = netns;
    }

    @Override
    public String name() {
        return "address:" + address + "@" + device + (netns == null ? "" : "%" + netns);
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        boolean want = target != RouteAnnouncement.WITHDRAW;
        if (present() == want) {
            return; // idempotent: `ip addr add` of an existing address fails with "File exists"
        }
        BoundedCommand.Result r = ip(want ? "add" : "del", address, "dev", device);
        if (r.exitCode() != 0) {
            throw new AnnouncerException(name() + ": ip addr " + (want ? "add" : "del") + " exited " + r.exitCode()
                    + ": " + r.output().strip());
        }
    }

    @Override
    public Optional<RouteAnnouncement> observe() throws AnnouncerException {
        return Optional.of(present() ? RouteAnnouncement.ANNOUNCE : RouteAnnouncement.WITHDRAW);
    }

    private boolean present() throws AnnouncerException {
        BoundedCommand.Result r = ip("show", "dev", device);
        if (r.exitCode() != 0) {
            throw new AnnouncerException(name() + ": ip addr show exited " + r.exitCode() + ": "
                    + r.output().strip());
        }
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if ((f[i].equals("inet") || f[i].equals("inet6")) && f[i + 1].equals(address)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public List<String> spec() {
        return List.of(AnnouncerSpec.ADDRESS, address, device, netns == null ? AnnouncerSpec.NONE : netns);
    }

    private BoundedCommand.Result ip(String... args) throws AnnouncerException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.add("-o");
        cmd.add("addr");
        cmd.addAll(List.of(args));
        return BoundedCommand.run(cmd, TIMEOUT_MS, name());
    }

    @Override
    public void close() {}
}
