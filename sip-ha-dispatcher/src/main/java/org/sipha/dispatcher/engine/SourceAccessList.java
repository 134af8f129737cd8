package org.sipha.dispatcher.engine;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks allowed to send initial requests (the carriers), as CIDR prefixes. Immutable; any thread.
 * Matching compares address bytes against each prefix: a handful of carrier networks is the expected size.
 */
public final class SourceAccessList {
    private final byte[][] networks;
    private final int[] prefixBits;
    private final List<String> text;
    /** True for {@link #allowAll()}: no access list configured. */
    private final boolean open;

    private SourceAccessList(List<String> cidrs, boolean open) {
        this.open = open;
        networks = new byte[cidrs.size()][];
        prefixBits = new int[cidrs.size()];
        text = List.copyOf(cidrs);
        for (int i = 0; i < cidrs.size(); i++) {
            String c = cidrs.get(i).trim();
            int slash = c.indexOf('/');
            InetAddress a = NextHop.literal(slash < 0 ? c : c.substring(0, slash));
            networks[i] = a.getAddress();
            int max = networks[i].length * 8;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(c.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + c, e);
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("prefix length out of range in " + c);
            }
            prefixBits[i] = bits;
        }
    }

    /** Allows every source (no access list). */
    public static SourceAccessList allowAll() {
        return new SourceAccessList(List.of("0.0.0.0/0", "::/0"), true);
    }

    /**
     * Parses CIDR prefixes such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static SourceAccessList of(List<String> cidrs) {
        return new SourceAccessList(new ArrayList<>(cidrs), false);
    }

    /** True if this is {@link #allowAll()}, i.e. no access list was configured. */
    boolean isOpen() {
        return open;
    }

    /** True if {@code address} lies in one of the networks. Allocates only for IPv6 addresses. */
    public boolean allows(InetAddress address) {
        if (address instanceof java.net.Inet4Address) {
            int v = address.hashCode(); // Inet4Address.hashCode() is the address itself: no byte[] copy
            for (int i = 0; i < networks.length; i++) {
                if (networks[i].length == 4 && matches4(v, networks[i], prefixBits[i])) {
                    return true;
                }
            }
            return false;
        }
        byte[] b = address.getAddress();
        for (int i = 0; i < networks.length; i++) {
            if (networks[i].length == b.length && matches(b, networks[i], prefixBits[i])) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches4(int v, byte[] net, int bits) {
        if (bits == 0) {
            return true;
        }
        int n = ((net[0] & 0xff) << 24) | ((net[1] & 0xff) << 16) | ((net[2] & 0xff) << 8) | (net[3] & 0xff);
        int mask = -1 << (32 - bits);
        return (v & mask) == (n & mask);
    }

    private static boolean matches(byte[] a, byte[] net, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != net[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (net[full] & mask);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
