package org.sipha.admin;

import java.time.Instant;
import java.util.List;

/** Writes the endpoint's answers as JSON: {@code /status}, {@code /destinations} and action results. Stateless. */
final class StatusJson {
    private StatusJson() {}

    static String status(NodeStatus s) {
        Json j = new Json().beginObject();
        j.field("node", s.node());
        j.field("ready", s.readiness().ready())
                .field("readyReason", s.readiness().reason());
        j.field("draining", s.draining());
        j.field("configVersion", s.configVersion()).field("configSource", s.configSource());
        j.field("routingTableVersion", s.routingTableVersion());
        j.field("callsInFlight", s.callsInFlight());
        j.name("anycast");
        if (s.anycast() == null) {
            j.value((String) null);
        } else {
            NodeStatus.Anycast a = s.anycast();
            j.beginObject()
                    .field("prefix", a.prefix())
                    .field("state", a.state())
                    .field("applied", a.applied())
                    .field("cause", a.cause())
                    .field("transitions", a.transitions())
                    .endObject();
        }
        j.name("quorum");
        if (s.quorum() == null) {
            j.value((String) null);
        } else {
            j.beginObject()
                    .field("quorate", s.quorum().quorate())
                    .field("reason", s.quorum().reason())
                    .field("refusingCalls", s.quorum().refusingCalls())
                    .endObject();
        }
        j.name("sets");
        sets(j, s.sets());
        j.name("recentChanges").beginArray();
        for (StateChange c : s.recentChanges()) {
            change(j, c);
        }
        j.endArray();
        return j.endObject().toString();
    }

    static String destinations(NodeStatus s) {
        Json j = new Json().beginObject();
        j.field("configVersion", s.configVersion()).field("routingTableVersion", s.routingTableVersion());
        j.name("sets");
        sets(j, s.sets());
        return j.endObject().toString();
    }

    static String result(String action, boolean dryRun, ActionResult r) {
        Json j = new Json().beginObject();
        j.field("action", action).field("ok", r.httpStatus() < 300);
        if (action.equals("reload")) {
            j.field("dryRun", dryRun);
        }
        j.field("applied", r.applied()).field("message", r.message());
        j.name("changes").beginArray();
        for (String c : r.changes()) {
            j.value(c);
        }
        j.endArray();
        return j.endObject().toString();
    }

    static String error(String message) {
        return new Json()
                .beginObject()
                .field("ok", false)
                .field("message", message)
                .endObject()
                .toString();
    }

    private static void sets(Json j, List<SetStatus> sets) {
        j.beginArray();
        for (SetStatus set : sets) {
            j.beginObject()
                    .field("id", set.id())
                    .field("algorithm", set.algorithm())
                    .field("panic", set.panic());
            j.name("destinations").beginArray();
            for (DestinationStatus d : set.destinations()) {
                destination(j, d);
            }
            j.endArray().endObject();
        }
        j.endArray();
    }

    private static void destination(Json j, DestinationStatus d) {
        j.beginObject()
                .field("id", d.id())
                .field("uri", d.uri())
                .field("status", d.status())
                .field("state", d.state())
                .field("admin", d.admin())
                .field("healthy", d.healthy())
                .field("weight", d.weight())
                .field("priority", d.priority())
                .field("callsInFlight", d.callsInFlight())
                .field("forwarded", d.forwarded())
                .field("probeP50Ms", d.probeP50Ms())
                .field("probeP99Ms", d.probeP99Ms())
                .field("trafficP50Ms", d.trafficP50Ms())
                .field("trafficP99Ms", d.trafficP99Ms());
        j.name("lastChange");
        if (d.lastChange() == null) {
            j.value((String) null);
        } else {
            change(j, d.lastChange());
        }
        j.endObject();
    }

    private static void change(Json j, StateChange c) {
        j.beginObject()
                .field("at", Instant.ofEpochMilli(c.atEpochMs()).toString())
                .field("subject", c.subject())
                .field("from", c.from())
                .field("to", c.to())
                .field("cause", c.cause())
                .endObject();
    }
}
