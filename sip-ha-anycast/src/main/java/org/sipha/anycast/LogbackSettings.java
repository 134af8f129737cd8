package org.sipha.anycast;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * The log format and level of the programs sip-ha ships, the watchdog and the reference proxy ({@code --log-format},
 * {@code --log-level}): set as the system properties their {@code logback.xml} reads, then logback is configured
 * again. Child JVMs (the dead-man relay) get the same properties from {@code RelayDeadManSwitch}. Called once by
 * the main thread, before the first line that matters.
 */
public final class LogbackSettings {
    /** The system properties logback.xml reads. */
    static final String FORMAT_PROPERTY = "sipha.log.format";

    static final String LEVEL_PROPERTY = "sipha.log.level";
    private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

    private LogbackSettings() {}

    /** {@code text} or {@code json}. */
    public static String format(String v, String option) {
        String f = v.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("text") && !f.equals("json")) {
            throw new IllegalArgumentException(option + ": expected text or json, got " + v);
        }
        return f;
    }

    /** error, warn, info, debug or trace. */
    public static String level(String v, String option) {
        String l = v.trim().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(l)) {
            throw new IllegalArgumentException(option + ": expected error, warn, info, debug or trace, got " + v);
        }
        return l;
    }

    /** Logs in {@code format} from {@code level} on; nothing changes when slf4j is bound to another library. */
    public static void apply(String format, String level) {
        System.setProperty(FORMAT_PROPERTY, format);
        System.setProperty(LEVEL_PROPERTY, level);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.reset();
            try {
                new ContextInitializer(ctx).autoConfig();
            } catch (JoranException e) {
                System.err.println("sip-ha: cannot configure logging: " + e);
            }
        }
    }
}
