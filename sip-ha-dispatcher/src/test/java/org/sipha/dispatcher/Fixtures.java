package org.sipha.dispatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.sipha.core.model.Destination;

/** Builders shared by the dispatcher tests. */
final class Fixtures {
    static final int SET = 1;

    private Fixtures() {}

    /** A manually advanced nanosecond clock, so lease expiry is tested without sleeping. */
    static final class FakeNanoClock implements LongSupplier {
        private volatile long nowNs = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return nowNs;
        }

        void advanceNs(final long ns) {
            nowNs += ns;
        }
    }

    static Destination dest(final String id, final int weight) {
        return dest(id, weight, 0);
    }

    static Destination dest(final String id, final int weight, final int priority) {
        final int n = Math.abs(id.hashCode() % 200);
        return Destination.builder("sip:10.0." + n + ".1:5060")
                .id(id)
                .weight(weight)
                .priority(priority)
                .build();
    }

    /** @return destinations d0..d(n-1), weight 1. */
    static List<Destination> equalDestinations(final int n) {
        final List<Destination> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(dest("d" + i, 1));
        }
        return list;
    }

    static DispatcherConfig config(final Algorithm algorithm, final List<Destination> destinations) {
        final DestinationSetConfig.Builder set =
                DestinationSetConfig.builder(SET).algorithm(algorithm);
        destinations.forEach(set::add);
        return DispatcherConfig.builder().set(set.build()).build();
    }

    static RoutingTableOwner owner(final Algorithm algorithm, final List<Destination> destinations) {
        return new RoutingTableOwner(config(algorithm, destinations), new FakeNanoClock());
    }

    /** @return {@code n} Call-ID-like keys from a fixed seed. */
    static String[] callIds(final int n, final long seed) {
        final Random random = new Random(seed);
        final String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Long.toHexString(random.nextLong()) + '-' + Integer.toHexString(random.nextInt()) + "@127.0.0.1";
        }
        return ids;
    }
}
