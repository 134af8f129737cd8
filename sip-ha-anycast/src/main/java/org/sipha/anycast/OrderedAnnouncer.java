package org.sipha.anycast;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drives a routing announcer and a local address together, in the order that never black-holes: the address is
 * added before the route is announced, and removed only after the withdraw has been sent (so packets already
 * on their way while routers converge still find the address).
 *
 * <p>Threading: one owner thread (see {@link RouteAnnouncer}).
 */
public final class OrderedAnnouncer implements RouteAnnouncer {
    private final RouteAnnouncer routing;
    private final RouteAnnouncer address;

    public OrderedAnnouncer(RouteAnnouncer routing, RouteAnnouncer address) {
        this.routing = routing;
        this.address = address;
    }

    @Override
    public String name() {
        return routing.name() + "+" + address.name();
    }

    @Override
    public void apply(RouteAnnouncement target) throws AnnouncerException {
        if (target == RouteAnnouncement.WITHDRAW) {
            routing.apply(target); // throws before the address is touched if the withdraw did not go out
            address.apply(target);
        } else {
            address.apply(target);
            routing.apply(target);
        }
    }

    /** The routing announcer's view, unless the address is missing while the route is up (then WITHDRAW). */
    @Override
    public Optional<RouteAnnouncement> observe() throws AnnouncerException {
        Optional<RouteAnnouncement> r = routing.observe();
        Optional<RouteAnnouncement> a = address.observe();
        if (r.isPresent()
                && a.isPresent()
                && a.get() == RouteAnnouncement.WITHDRAW
                && r.get() != RouteAnnouncement.WITHDRAW) {
            return Optional.of(RouteAnnouncement.WITHDRAW); // inconsistent: make reconciliation re-apply
        }
        return r;
    }

    @Override
    public void warmUp() throws AnnouncerException {
        routing.warmUp();
    }

    @Override
    public void refreshConnection() throws AnnouncerException {
        routing.refreshConnection();
    }

    /** {@code ordered <n> <routing spec (n words)> <address spec...>} */
    @Override
    public List<String> spec() {
        List<String> r = routing.spec();
        List<String> s = new ArrayList<>();
        s.add(AnnouncerSpec.ORDERED);
        s.add(Integer.toString(r.size()));
        s.addAll(r);
        s.addAll(address.spec());
        return s;
    }

    @Override
    public void close() {
        try {
            routing.close();
        } finally {
            address.close();
        }
    }
}
