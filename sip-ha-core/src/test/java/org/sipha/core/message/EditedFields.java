package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What the edited output of a message that validated must read back, field by field: the prepended Via and
 * Record-Route values on top in call order, the original values after them, a removed top value gone, the
 * stamped top Via with the new received and rport and everything else of it unchanged, the new Max-Forwards and
 * Request-URI, the other fields as before. Outcomes are compared as text or as the typed error, so a malformed
 * later value must stay exactly as malformed.
 */
final class EditedFields {
    private static final String[] VIA_PARAMS = {"maddr", "ttl", "alias", "keep", "comp"};
    private static final List<String> UNCHANGED =
            List.of("callId", "cseqNumber", "from", "to", "contactCount", "contact0");

    private final List<String> vias = new ArrayList<>();
    private final List<String> recordRoutes = new ArrayList<>();
    private boolean removeTopVia;
    private boolean removeTopRoute;
    private MessageEdit stamp;
    private MessageEdit.SetMaxForwards maxForwards;
    private MessageEdit.SetRequestUri requestUri;

    private EditedFields(List<MessageEdit> edits) {
        for (MessageEdit e : edits) {
            if (e instanceof MessageEdit.PrependVia p) {
                vias.add(p.via().text());
            } else if (e instanceof MessageEdit.PrependRecordRoute p) {
                recordRoutes.add(p.entry().text("\r\n"));
            } else if (e instanceof MessageEdit.RemoveTopVia) {
                removeTopVia = true;
            } else if (e instanceof MessageEdit.RemoveTopRoute) {
                removeTopRoute = true;
            } else if (e instanceof MessageEdit.SetMaxForwards s) {
                maxForwards = s;
            } else if (e instanceof MessageEdit.SetRequestUri s) {
                requestUri = s;
            } else {
                stamp = e;
            }
        }
    }

    /**
     * {@code original} and {@code w} frame the message before and after {@code edits}; {@code stamped} is the range
     * of {@code w} the stamped top Via must fill (see {@link FramedEditOracle#assertLinesAsPredicted}).
     */
    static void assertReadBack(SipMessageView original, SipMessageView w, List<MessageEdit> edits, int[] stamped) {
        EditedFields f = new EditedFields(edits);
        int stampedIndex = f.stamp == null ? -1 : f.vias.size();
        assertList(
                "Via",
                f.vias,
                original::viaCount,
                original::via,
                f.removeTopVia ? 1 : 0,
                w::viaCount,
                w::via,
                stampedIndex);
        if (f.stamp != null) {
            f.assertStamped(original.topVia(), w.via(stampedIndex), stamped);
        }
        f.assertValidates(original, w);
        assertList(
                "Record-Route",
                f.recordRoutes,
                original::recordRouteCount,
                original::recordRoute,
                0,
                w::recordRouteCount,
                w::recordRoute,
                -1);
        assertList(
                "Route",
                List.of(),
                original::routeCount,
                original::route,
                f.removeTopRoute ? 1 : 0,
                w::routeCount,
                w::route,
                -1);
        assertEquals(
                f.maxForwards == null ? outcome(original::maxForwards) : String.valueOf(f.maxForwards.value()),
                outcome(w::maxForwards),
                "Max-Forwards");
        assertEquals(
                f.requestUri == null ? outcome(original::requestUri) : f.requestUri.uri(),
                outcome(w::requestUri),
                "Request-URI");
        for (String field : UNCHANGED) {
            Function<SipMessageView, Object> read = AccessorOutcomes.ACCESSORS.get(field);
            assertEquals(outcome(() -> read.apply(original)), outcome(() -> read.apply(w)), field);
        }
        assertEquals(original.contentLength(), w.contentLength(), "Content-Length");
        assertEquals(Latin1.of(original.body()), Latin1.of(w.body()), "body");
    }

    /**
     * A list header after the edits: the {@code prepended} values on top, then the original values from index
     * {@code from} on, each the same text or the same typed error; output index {@code skip} is checked elsewhere.
     * When the original list cannot be counted, only the prepended values are compared.
     */
    private static void assertList(
            String name,
            List<String> prepended,
            Supplier<Integer> inCount,
            IntFunction<Object> in,
            int from,
            Supplier<Integer> outCount,
            IntFunction<Object> out,
            int skip) {
        for (int i = 0; i < prepended.size(); i++) {
            int k = i;
            assertEquals(prepended.get(i), outcome(() -> out.apply(k)), name + " " + i);
        }
        Integer n;
        try {
            n = inCount.get();
        } catch (SipSyntaxException e) {
            return;
        }
        assertEquals(prepended.size() + n - from, outCount.get(), name + " count");
        for (int j = from; j < n; j++) {
            int i = j;
            int k = prepended.size() + j - from;
            if (k != skip) {
                assertEquals(outcome(() -> in.apply(i)), outcome(() -> out.apply(k)), name + " " + k);
            }
        }
    }

    /** The output's top Via is the first prepended one, or what followed a removed top Via. */
    private void assertValidates(SipMessageView original, SipMessageView w) {
        SipParseResult want = SipParseResult.OK;
        if (vias.isEmpty() && removeTopVia) {
            try {
                original.via(1);
            } catch (SipSyntaxException e) {
                want = e.result();
            } catch (IndexOutOfBoundsException e) {
                want = SipParseResult.MISSING_HEADER;
            }
        }
        assertEquals(want, w.validate(), () -> "validate() of\n" + w);
    }

    private void assertStamped(ViaView before, ViaView after, int[] stamped) {
        assertEquals(stamped[0], after.asText().offset(), "stamped Via starts where the oracle says");
        assertEquals(stamped[1] - stamped[0], after.asText().length(), "stamped Via ends where the oracle says");
        String host;
        int port;
        boolean alwaysRport;
        if (stamp instanceof MessageEdit.SetTopViaReceived s) {
            host = s.host();
            port = s.port();
            alwaysRport = false;
        } else {
            MessageEdit.SetTopViaReceivedAndRport s = (MessageEdit.SetTopViaReceivedAndRport) stamp;
            host = s.host();
            port = s.port();
            alwaysRport = true;
        }
        assertEquals(Latin1.of(before.protocol()), Latin1.of(after.protocol()), "protocol");
        assertEquals(Latin1.of(before.transport()), Latin1.of(after.transport()), "transport");
        assertEquals(Latin1.of(before.host()), Latin1.of(after.host()), "sent-by host");
        assertEquals(before.port(), after.port(), "sent-by port");
        assertEquals(Latin1.of(before.branch()), Latin1.of(after.branch()), "branch");
        assertEquals(host != null ? host : Latin1.of(before.received()), Latin1.of(after.received()), "received");
        assertEquals(alwaysRport || before.hasRport(), after.hasRport(), "rport present");
        int rport = alwaysRport || (port >= 0 && before.hasRport()) ? port : before.rport();
        assertEquals(rport, after.rport(), "rport value");
        for (String p : VIA_PARAMS) {
            assertEquals(Latin1.of(before.param(p)), Latin1.of(after.param(p)), "Via parameter " + p);
        }
    }

    /** A value as text, {@code "none"}, or the typed error it throws. */
    private static String outcome(Supplier<Object> s) {
        try {
            Object o = s.get();
            if (o instanceof AsciiView a) {
                return Latin1.of(a);
            }
            if (o instanceof ViaView via) {
                return Latin1.of(via.asText());
            }
            if (o instanceof NameAddrView n) {
                return Latin1.of(n.asText());
            }
            return String.valueOf(o);
        } catch (SipSyntaxException e) {
            return "throws " + e.result();
        } catch (IndexOutOfBoundsException e) {
            return "none";
        }
    }
}
