package org.sipha.core.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A valid SIP message built by {@link SipMessageGenerator}, together with everything that went into it, so a
 * property can check that the parser finds exactly that. Text is held as Latin-1 strings, one char per byte, so
 * UTF-8 display names and arbitrary body bytes survive unchanged.
 */
final class GeneratedMessage {

    /** A {@code ;name[=value]} parameter; {@code value} is raw (a quoted value keeps its quotes). */
    record Param(String name, String value) {
        String render() {
            return value == null ? name : name + '=' + value;
        }
    }

    /** One Via value with the layout choices the RFC allows (LWS around slashes, colon and semicolons). */
    record ViaSpec(
            String transport,
            String host,
            int port,
            List<Param> params,
            String slash,
            String hostSep,
            String portSep,
            String paramSep) {

        String text() {
            StringBuilder s = new StringBuilder("SIP")
                    .append(slash)
                    .append("2.0")
                    .append(slash)
                    .append(transport)
                    .append(hostSep)
                    .append(host);
            if (port >= 0) {
                s.append(portSep).append(port);
            }
            for (Param p : params) {
                s.append(paramSep).append(p.render());
            }
            return s.toString();
        }

        String protocol() {
            return "SIP" + slash + "2.0";
        }

        /** The first parameter called {@code name} (case-insensitive), or null. */
        Param param(String name) {
            for (Param p : params) {
                if (p.name().equalsIgnoreCase(name)) {
                    return p;
                }
            }
            return null;
        }

        String branch() {
            Param p = param("branch");
            return p == null ? null : p.value();
        }

        String received() {
            Param p = param("received");
            return p == null ? null : p.value();
        }

        boolean hasRport() {
            return param("rport") != null;
        }

        int rport() {
            Param p = param("rport");
            return p == null || p.value() == null ? -1 : Integer.parseInt(p.value());
        }
    }

    /**
     * A name-addr ({@code "Name" <uri>;params}) or, when {@code angle} is false, an addr-spec ({@code uri;params}).
     * {@code displayName} is raw: quoted with its escapes, or a run of tokens, or null.
     */
    record NameAddrSpec(
            String displayName,
            boolean angle,
            String uri,
            String uriHost,
            int uriPort,
            boolean lr,
            List<Param> params,
            boolean foldBeforeAngle) {

        String text(String eol) {
            StringBuilder s = new StringBuilder();
            if (displayName != null) {
                s.append(displayName).append(foldBeforeAngle ? eol + " " : " ");
            }
            s.append(angle ? "<" + uri + ">" : uri);
            for (Param p : params) {
                s.append(';').append(p.render());
            }
            return s.toString();
        }

        /** What {@link NameAddrView#displayName()} must return: the quoted text without quotes, escapes kept. */
        String expectedDisplayName() {
            if (displayName == null) {
                return null;
            }
            return displayName.startsWith("\"") ? displayName.substring(1, displayName.length() - 1) : displayName;
        }

        /** The same value on one line, as an editor must be given it. */
        NameAddrSpec unfolded() {
            return new NameAddrSpec(displayName, angle, uri, uriHost, uriPort, lr, params, false);
        }

        String tag() {
            for (Param p : params) {
                if (p.name().equalsIgnoreCase("tag")) {
                    return p.value();
                }
            }
            return null;
        }
    }

    /**
     * One header line: {@code name colon value0 sep0 value1 ... suffix}. Values of multi-valued headers are kept
     * apart so an editor's removal of the first value can be predicted exactly; {@code seps} may hold folds.
     */
    record HeaderLine(
            SipHeaderName kind, String name, String colon, List<String> values, List<String> seps, String suffix) {

        String value() {
            StringBuilder s = new StringBuilder(values.get(0));
            for (int i = 1; i < values.size(); i++) {
                s.append(seps.get(i - 1)).append(values.get(i));
            }
            return s.toString();
        }

        String raw() {
            return name + colon + value() + suffix;
        }

        /** This line without its first value, as {@link SipMessageEditor} leaves it when removing that value. */
        String rawWithoutFirstValue() {
            return name + colon + withoutFirst().value() + suffix;
        }

        /** The text after the first value: the separators and other values, then the line's end. */
        String afterFirstValue() {
            return values.size() == 1 ? suffix : seps.get(0) + withoutFirst().value() + suffix;
        }

        private HeaderLine withoutFirst() {
            return new HeaderLine(
                    kind, name, colon, values.subList(1, values.size()), seps.subList(1, seps.size()), suffix);
        }

        static HeaderLine single(SipHeaderName kind, String name, String colon, String value, String suffix) {
            return new HeaderLine(kind, name, colon, List.of(value), List.of(), suffix);
        }
    }

    final String eol;
    final boolean request;
    /** The request method, or for a response the CSeq method. */
    final String method;

    final String requestUri;
    final int statusCode;
    final String reason;
    final String callId;
    final long cseq;
    final List<ViaSpec> vias;
    final List<NameAddrSpec> routes;
    final List<NameAddrSpec> recordRoutes;
    final List<NameAddrSpec> contacts;
    final NameAddrSpec from;
    final NameAddrSpec to;
    final int maxForwards;
    final String body;
    final List<HeaderLine> lines;

    GeneratedMessage(
            String eol,
            boolean request,
            String method,
            String requestUri,
            int statusCode,
            String reason,
            String callId,
            long cseq,
            List<ViaSpec> vias,
            List<NameAddrSpec> routes,
            List<NameAddrSpec> recordRoutes,
            List<NameAddrSpec> contacts,
            NameAddrSpec from,
            NameAddrSpec to,
            int maxForwards,
            String body,
            List<HeaderLine> lines) {
        this.eol = eol;
        this.request = request;
        this.method = method;
        this.requestUri = requestUri;
        this.statusCode = statusCode;
        this.reason = reason;
        this.callId = callId;
        this.cseq = cseq;
        this.vias = vias;
        this.routes = routes;
        this.recordRoutes = recordRoutes;
        this.contacts = contacts;
        this.from = from;
        this.to = to;
        this.maxForwards = maxForwards;
        this.body = body;
        this.lines = lines;
    }

    String startLine() {
        return startLine(requestUri);
    }

    String startLine(String uri) {
        return request ? method + ' ' + uri + " SIP/2.0" + eol : "SIP/2.0 " + statusCode + ' ' + reason + eol;
    }

    String text() {
        StringBuilder s = new StringBuilder(startLine());
        for (HeaderLine l : lines) {
            s.append(l.raw());
        }
        return s.append(eol).append(body).toString();
    }

    byte[] bytes() {
        return text().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Index in {@link #lines} of the first line of {@code kind}, or -1. */
    int firstLine(SipHeaderName kind) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).kind() == kind) {
                return i;
            }
        }
        return -1;
    }

    List<String> viaTexts() {
        List<String> out = new ArrayList<>();
        for (ViaSpec v : vias) {
            out.add(v.text());
        }
        return out;
    }

    /** Length of the longest physical line (start line, header lines and their folds), without its CRLF or LF. */
    int longestLine() {
        String text = text();
        String head = text.substring(0, text.length() - body.length());
        int longest = 0;
        for (String line : head.split("\n", -1)) {
            longest = Math.max(longest, line.endsWith("\r") ? line.length() - 1 : line.length());
        }
        return longest;
    }

    @Override
    public String toString() {
        return text().replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
