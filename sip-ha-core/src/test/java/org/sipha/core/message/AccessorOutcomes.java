package org.sipha.core.message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What each lazily decoding accessor of a {@link SipMessageView} yields, as text: the value, or the typed
 * error it throws. Lets a property compare the outcomes of the same accessors called in different orders.
 */
final class AccessorOutcomes {
    static final Map<String, Function<SipMessageView, Object>> ACCESSORS = accessors();

    private AccessorOutcomes() {}

    private static Map<String, Function<SipMessageView, Object>> accessors() {
        Map<String, Function<SipMessageView, Object>> a = new LinkedHashMap<>();
        a.put("validate", SipMessageView::validate);
        a.put("callId", SipMessageView::callId);
        a.put("cseqNumber", SipMessageView::cseqNumber);
        a.put("maxForwards", SipMessageView::maxForwards);
        a.put("from", SipMessageView::from);
        a.put("to", SipMessageView::to);
        a.put("viaCount", SipMessageView::viaCount);
        a.put("topVia", SipMessageView::topVia);
        for (int i = 0; i < 3; i++) {
            int index = i;
            a.put("via" + i, v -> v.via(index));
            a.put("route" + i, v -> v.route(index));
            a.put("recordRoute" + i, v -> v.recordRoute(index));
        }
        a.put("routeCount", SipMessageView::routeCount);
        a.put("recordRouteCount", SipMessageView::recordRouteCount);
        a.put("contactCount", SipMessageView::contactCount);
        a.put("contact0", v -> v.contact(0));
        return a;
    }

    /** Calls the named accessors on {@code v} in the given order; returns name to outcome. */
    static Map<String, String> record(SipMessageView v, List<String> order) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : order) {
            out.put(name, outcome(v, ACCESSORS.get(name)));
        }
        return out;
    }

    private static String outcome(SipMessageView v, Function<SipMessageView, Object> accessor) {
        try {
            Object value = accessor.apply(v);
            return String.valueOf(value);
        } catch (SipSyntaxException e) {
            return "throws " + e.result();
        } catch (IndexOutOfBoundsException e) {
            return "no such value";
        }
    }
}
