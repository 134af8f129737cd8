package org.sipha.core.message;

import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

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

    /** Always records {@code port} (0 to 65535); {@code host} may be null. Not predicted by {@link EditOracle}. */
    record SetTopViaReceivedAndRport(String host, int port) implements MessageEdit {
        @Override
        public void applyTo(SipMessageEditor e) {
            e.setTopViaReceivedAndRport(host, port);
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

    /** Any one edit, each kind equally likely. */
    static MessageEdit any(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> new PrependVia(SipMessageGenerator.via(r));
            case 1 -> new RemoveTopVia();
            case 2 -> receivedEdit(r);
            case 3 -> new PrependRecordRoute(SipMessageGenerator.routeEntry(r).unfolded());
            case 4 -> new RemoveTopRoute();
            case 5 -> new SetMaxForwards(BiasedDraws.between(r, 0, Integer.MAX_VALUE));
            default -> new SetRequestUri(SipMessageGenerator.requestUri(r));
        };
    }

    /** A received address (none one time in five) and an rport value, -1 meaning none. */
    static MessageEdit receivedEdit(Random r) {
        String host = BiasedDraws.orNull(
                r, 0.2, x -> x.nextBoolean() ? SipMessageGenerator.ipv4(x) : SipMessageGenerator.ipv6(x));
        return new SetTopViaReceived(host, BiasedDraws.between(r, -1, 65535));
    }

    /**
     * Each kind of edit at most once (most with probability one half), in random call order; never
     * {@link RemoveTopVia} together with {@link SetTopViaReceived}, which the editor rejects as overlapping by
     * design.
     */
    static List<MessageEdit> combination(Random r) {
        List<MessageEdit> edits = new ArrayList<>();
        if (r.nextBoolean()) {
            edits.add(new PrependVia(SipMessageGenerator.via(r)));
        }
        int topVia = r.nextInt(3);
        if (topVia == 1) {
            edits.add(new RemoveTopVia());
        } else if (topVia == 2) {
            edits.add(receivedEdit(r));
        }
        if (r.nextBoolean()) {
            edits.add(new PrependRecordRoute(SipMessageGenerator.routeEntry(r).unfolded()));
        }
        if (r.nextBoolean()) {
            edits.add(new RemoveTopRoute());
        }
        if (r.nextBoolean()) {
            edits.add(new SetMaxForwards(BiasedDraws.between(r, 0, 255)));
        }
        if (r.nextBoolean()) {
            edits.add(new SetRequestUri(SipMessageGenerator.requestUri(r)));
        }
        Collections.shuffle(edits, r);
        return edits;
    }
}
