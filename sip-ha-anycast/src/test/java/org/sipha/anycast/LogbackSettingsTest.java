package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The watchdog jar's logback configuration (src/main/shade) as --log-format and --log-level choose it. */
class LogbackSettingsTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogbackSettingsTest.class);

    private static List<String> logged(String format, String level, Runnable logging) {
        PrintStream stderr = System.err; // the console appender writes to the System.err of the moment
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LogbackSettings.apply(format, level);
            logging.run();
        } finally {
            System.setErr(stderr);
            LogbackSettings.apply("text", "info");
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerLineWithTheFormattedMessage() {
        List<String> lines = logged("json", "info", () -> {
            LOG.info("anycast {} -> {}: {}", "ANNOUNCED", "DRAINING", "1 of 2 \"up\"");
            LOG.debug("not at info");
        });
        assertEquals(1, lines.size(), lines.toString());
        String l = lines.get(0);
        assertTrue(l.matches("\\{\"timestamp\":\\d+,\"level\":\"INFO\",.*\\}"), l);
        assertTrue(l.contains("\"formattedMessage\":\"anycast ANNOUNCED -> DRAINING: 1 of 2 \\\"up\\\"\""), l);
        assertTrue(l.contains("\"loggerName\":\"org.sipha.anycast.LogbackSettingsTest\""), l);
    }

    @Test
    void textHasAnIsoTimestampAndTheLevelChosen() {
        List<String> lines = logged("text", "debug", () -> LOG.debug("heartbeat {}", 7));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(
                lines.get(0)
                        .matches(
                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) DEBUG \\[main\\]"
                                        + " org\\.sipha\\.anycast\\.LogbackSettingsTest - heartbeat 7"),
                lines.get(0));
        assertFalse(logged("text", "warn", () -> LOG.info("hidden")).stream().anyMatch(x -> x.contains("hidden")));
    }

    @Test
    void refusesUnknownFormatsAndLevels() {
        assertThrows(IllegalArgumentException.class, () -> LogbackSettings.format("xml", "--log-format"));
        assertThrows(IllegalArgumentException.class, () -> LogbackSettings.level("loud", "--log-level"));
        assertEquals("warn", LogbackSettings.level("WARN", "--log-level"));
    }
}
