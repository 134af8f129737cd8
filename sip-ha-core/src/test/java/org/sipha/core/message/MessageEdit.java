package org.sipha.core.message;

import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** One {@link SipMessageEditor} edit as data, so a property can generate it, apply it and predict its output. */
sealed interface MessageEdit {

    record PrependVia(ViaSpec via) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.prependVia(via.text());
        }
    }

    record RemoveTopVia() implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.removeTopVia();
        }
    }

    /** {@code host} may be null and {@code port} -1: the editor then leaves that part alone. */
    record SetTopViaReceived(String host, int port) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.setTopViaReceived(host, port);
        }

        boolean changes(ViaSpec top) {
            return host != null || (port >= 0 && top.hasRport());
        }
    }

    record PrependRecordRoute(NameAddrSpec entry) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.prependRecordRoute(entry.text("\r\n"));
        }
    }

    record RemoveTopRoute() implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.removeTopRoute();
        }

        @Override
        public boolean appliesTo(GeneratedMessage m) {
            return !m.routes.isEmpty();
        }
    }

    record SetMaxForwards(int value) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.setMaxForwards(value);
        }
    }

    record SetRequestUri(String uri) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.setRequestUri(uri);
        }

        @Override
        public boolean appliesTo(GeneratedMessage m) {
            return m.request;
        }
    }

    void applyTo(SipMessageEditor e);

    /** False if the edit is a misuse on {@code m} (no Route to remove, no Request-URI in a response). */
    default boolean appliesTo(GeneratedMessage m) {
        return true;
    }

    /** Any one edit. */
    static Arbitrary<MessageEdit> any() {
        return Arbitraries.oneOf(List.of(
            SipMessageArbitraries.vias().map(PrependVia::new),
            Arbitraries.just(new RemoveTopVia()),
            receivedEdits(),
            SipMessageArbitraries.routeEntries().map(r -> new PrependRecordRoute(r.unfolded())),
            Arbitraries.just(new RemoveTopRoute()),
            Arbitraries.integers().between(0, Integer.MAX_VALUE).map(SetMaxForwards::new),
            SipMessageArbitraries.requestUris().map(SetRequestUri::new)));
    }

    static Arbitrary<MessageEdit> receivedEdits() {
        return Combinators.combine(
            Arbitraries.oneOf(SipMessageArbitraries.ipv4(), SipMessageArbitraries.ipv6()).injectNull(0.2),
            Arbitraries.integers().between(-1, 65535))
            .as(SetTopViaReceived::new);
    }

    /**
     * Each kind of edit at most once, in random call order; never {@link RemoveTopVia} together with
     * {@link SetTopViaReceived}, which the editor rejects as overlapping by design.
     */
    static Arbitrary<List<MessageEdit>> combinations() {
        Arbitrary<Optional<MessageEdit>> prependVia = SipMessageArbitraries.vias().<MessageEdit>map(PrependVia::new)
            .optional(0.5);
        Arbitrary<Optional<MessageEdit>> topVia = Arbitraries.oneOf(
            Arbitraries.just(Optional.empty()), Arbitraries.just(Optional.of(new RemoveTopVia())),
            receivedEdits().map(Optional::of));
        Arbitrary<Optional<MessageEdit>> recordRoute = SipMessageArbitraries.routeEntries()
            .<MessageEdit>map(r -> new PrependRecordRoute(r.unfolded())).optional(0.5);
        Arbitrary<Optional<MessageEdit>> route = Arbitraries.<MessageEdit>just(new RemoveTopRoute()).optional(0.5);
        Arbitrary<Optional<MessageEdit>> maxForwards = Arbitraries.integers().between(0, 255)
            .<MessageEdit>map(SetMaxForwards::new).optional(0.5);
        Arbitrary<Optional<MessageEdit>> requestUri = SipMessageArbitraries.requestUris()
            .<MessageEdit>map(SetRequestUri::new).optional(0.5);
        return Combinators.combine(prependVia, topVia, recordRoute, route, maxForwards, requestUri)
            .as((a, b, c, d, e, f) -> {
                List<MessageEdit> edits = new ArrayList<>();
                for (Optional<MessageEdit> o : List.of(a, b, c, d, e, f)) {
                    o.ifPresent(edits::add);
                }
                return edits;
            })
            .flatMap(edits -> edits.isEmpty() ? Arbitraries.just(edits) : Arbitraries.shuffle(edits));
    }
}
