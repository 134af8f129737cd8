package org.sipha.admin;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One action request, parsed from its path and query: {@code /destinations/{id}/enable|disable|drain} (the id
 * percent-decoded), {@code /node/drain}, {@code /reload} with {@code dry-run=true} or not. Immutable.
 */
record AdminAction(String name, String destinationId, NodeActions.DestinationCommand command, boolean dryRun) {
    private static final String DESTINATIONS = "/destinations/";

    /** The action named by {@code rawPath} and {@code rawQuery} (may be null), or null if none is. */
    static AdminAction parse(String rawPath, String rawQuery) {
        if (rawPath.equals("/node/drain")) {
            return new AdminAction("drain-node", null, null, false);
        }
        if (rawPath.equals("/reload")) {
            return new AdminAction("reload", null, null, dryRun(rawQuery));
        }
        if (rawPath.startsWith(DESTINATIONS)) {
            int slash = rawPath.lastIndexOf('/');
            if (slash <= DESTINATIONS.length()) {
                return null;
            }
            String id = percentDecode(rawPath.substring(DESTINATIONS.length(), slash));
            NodeActions.DestinationCommand c = switch (rawPath.substring(slash + 1)) {
                case "enable" -> NodeActions.DestinationCommand.ENABLE;
                case "disable" -> NodeActions.DestinationCommand.DISABLE;
                case "drain" -> NodeActions.DestinationCommand.DRAIN;
                default -> null;
            };
            return c == null || id == null ? null : new AdminAction(c.name().toLowerCase(Locale.ROOT), id, c, false);
        }
        return null;
    }

    ActionResult run(NodeActions actions) {
        return switch (name) {
            case "drain-node" -> actions.drainNode();
            case "reload" -> actions.reload(dryRun);
            default -> actions.destination(destinationId, command);
        };
    }

    private static boolean dryRun(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String p : rawQuery.split("&")) {
            if (p.equals("dry-run") || p.equals("dry-run=true") || p.equals("dry-run=1")) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3986 percent-decoding (a {@code +} stays a plus); null if malformed. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
