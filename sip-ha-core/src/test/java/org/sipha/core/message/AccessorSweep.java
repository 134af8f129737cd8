package org.sipha.core.message;

/**
 * Calls every public accessor of a wrapped {@link SipMessageView} and of the views it hands out, the way a
 * careless caller would, and fails if anything but {@link SipSyntaxException} escapes. Indexes stay in range
 * and nothing is read from a view whose wrap did not return OK, so the documented misuse exceptions
 * ({@link IndexOutOfBoundsException}, {@link IllegalStateException}) are never provoked.
 */
final class AccessorSweep {
    private AccessorSweep() {}

    static void sweep(SipMessageView m) {
        m.parseResult();
        m.limits();
        m.frameLength();
        m.buffer();
        m.messageOffset();
        m.messageLength();
        m.toString();
        if (m.parseResult() != SipParseResult.OK) {
            return;
        }
        m.isResponse();
        attempt("start line", () -> {
            if (m.isRequest()) {
                text(m.method());
                m.methodCode();
                text(m.requestUri());
                attempt("parsedRequestUri", () -> uri(m.parsedRequestUri()));
            } else {
                m.statusCode();
                text(m.reasonPhrase());
            }
        });
        attempt("callId", () -> text(m.callId()));
        attempt("cseqNumber", m::cseqNumber);
        attempt("cseqMethod", () -> text(m.cseqMethod()));
        attempt("cseqMethodCode", m::cseqMethodCode);
        attempt("maxForwards", m::maxForwards);
        m.contentLength();
        text(m.body());
        attempt("topVia", () -> via(m.topVia()));
        attempt("via(i)", () -> {
            for (int i = 0, n = m.viaCount(); i < n; i++) {
                int index = i;
                attempt("via(" + i + ")", () -> via(m.via(index)));
            }
        });
        attempt("from", () -> nameAddr(m.from()));
        attempt("to", () -> nameAddr(m.to()));
        attempt("route(i)", () -> {
            for (int i = 0, n = m.routeCount(); i < n; i++) {
                int index = i;
                attempt("route(" + i + ")", () -> nameAddr(m.route(index)));
            }
        });
        attempt("recordRoute(i)", () -> {
            for (int i = 0, n = m.recordRouteCount(); i < n; i++) {
                int index = i;
                attempt("recordRoute(" + i + ")", () -> nameAddr(m.recordRoute(index)));
            }
        });
        attempt("contact(i)", () -> {
            for (int i = 0, n = m.contactCount(); i < n; i++) {
                int index = i;
                attempt("contact(" + i + ")", () -> nameAddr(m.contact(index)));
            }
        });
        for (int i = 0; i < m.headerCount(); i++) {
            m.headerKind(i);
            text(m.headerName(i));
            text(m.headerValue(i));
        }
        for (SipHeaderName kind : SipHeaderName.values()) {
            if (kind != SipHeaderName.OTHER) {
                text(m.header(kind));
                text(m.header(kind.canonicalName(), 1));
                m.headerCount(kind.canonicalName());
            }
        }
        text(m.header("v"));
        text(m.header("X-Unknown"));
        m.headerCount("x-unknown");
        m.validate();
    }

    private static void via(ViaView v) {
        if (v == null) {
            return;
        }
        text(v.asText());
        text(v.protocol());
        text(v.transport());
        text(v.host());
        v.port();
        text(v.branch());
        v.hasRfc3261Branch();
        text(v.received());
        v.hasRport();
        v.rport();
        text(v.param("branch"));
        text(v.param("maddr"));
        text(v.param("alias"));
        v.toString();
    }

    private static void nameAddr(NameAddrView n) {
        if (n == null) {
            return;
        }
        text(n.asText());
        n.isWildcard();
        text(n.displayName());
        text(n.uriText());
        text(n.tag());
        text(n.param("tag"));
        text(n.param("expires"));
        n.toString();
        attempt("uri", () -> uri(n.uri()));
    }

    private static void uri(SipUriView u) {
        if (u == null) {
            return;
        }
        text(u.asText());
        text(u.scheme());
        text(u.user());
        text(u.password());
        text(u.host());
        u.port();
        text(u.headers());
        u.hasParam("lr");
        text(u.param("maddr"));
        u.isLooseRouting();
        text(u.transport());
        u.toString();
    }

    private static void text(AsciiView v) {
        if (v == null) {
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            v.charAt(i);
        }
        v.toString();
        v.subSequence(0, v.length());
        v.contentHash();
        v.parseLong();
        v.contentEqualsIgnoreCase("sip");
        v.copyTo(new byte[v.length()], 0);
    }

    /** Runs {@code r}; a {@link SipSyntaxException} is the typed error and allowed, anything else fails. */
    static void attempt(String what, Runnable r) {
        try {
            r.run();
        } catch (SipSyntaxException expected) {
            if (expected.result() == null || !expected.result().isError()) {
                throw new AssertionError(what + " threw SipSyntaxException without an error result", expected);
            }
        } catch (RuntimeException e) {
            throw new AssertionError(what + " threw " + e, e);
        }
    }
}
