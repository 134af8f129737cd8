package org.sipha.anycast;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The standalone watchdog's command line, built with picocli from {@link WatchdogOptions#OWN_OPTIONS},
 * {@link AnycastOptions#OPTIONS} and {@link #LOG_OPTIONS}: {@code --name value} or {@code --name=value}, as the
 * reference proxy writes its options, plus {@code --check}, {@code --help} and {@code --version}; {@code @FILE}
 * stands for the arguments in FILE, one per line (handy for a systemd unit). Only the main thread uses it.
 */
final class WatchdogCommandLine {
    static final String NAME = "sip-ha-anycast-watchdog";

    /** How the watchdog logs: its format and level. */
    static final List<AnycastOptions.OptionInfo> LOG_OPTIONS = List.of(
            new AnycastOptions.OptionInfo(
                    "log-format",
                    "text|json",
                    "text",
                    "text: one line per event with an ISO-8601 timestamp; json: one JSON object per line."),
            new AnycastOptions.OptionInfo(
                    "log-level", "LEVEL", "info", "The least severe level logged: error, warn, info, debug or trace."));

    /**
     * What the command line says.
     *
     * @param options the values by option name (without dashes); a later value replaces an earlier one
     * @param help    {@code --help}
     * @param version {@code --version}
     * @param check    {@code --check}: validate the options and exit without probing or announcing
     * @param withdraw {@code --withdraw}: withdraw the route through the configured announcer and exit
     */
    record Parsed(Map<String, String> options, boolean help, boolean version, boolean check, boolean withdraw) {}

    private WatchdogCommandLine() {}

    /**
     * Parses {@code args}; the log options are taken out of {@link Parsed#options} into {@code logOptions}.
     *
     * @throws IllegalArgumentException naming the option or argument that is wrong
     */
    static Parsed parse(String[] args, Map<String, String> logOptions) {
        Map<String, String> options = new LinkedHashMap<>();
        boolean[] commands = new boolean[2];
        CommandLine.ParseResult r;
        try {
            r = new CommandLine(spec(options, logOptions, commands)).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(message(e), e);
        }
        return new Parsed(options, r.isUsageHelpRequested(), r.isVersionHelpRequested(), commands[0], commands[1]);
    }

    /** {@link #parse(String[], Map)} that ignores the log options. */
    static Parsed parse(String[] args) {
        return parse(args, new LinkedHashMap<>());
    }

    /** What {@code --help} prints: every option with its default and meaning. */
    static String usage() {
        StringWriter out = new StringWriter();
        new CommandLine(spec(new LinkedHashMap<>(), new LinkedHashMap<>(), new boolean[2]))
                .usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    /** {@code sip-ha-anycast-watchdog VERSION}, the version the jar was built as. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = WatchdogCommandLine.class.getResourceAsStream("watchdog-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return NAME + " unknown";
        }
        return NAME + " " + p.getProperty("version", "unknown");
    }

    /** {@code commands[0]}: {@code --check} given; {@code commands[1]}: {@code --withdraw} given. */
    private static CommandSpec spec(Map<String, String> options, Map<String, String> logOptions, boolean[] commands) {
        CommandSpec spec = CommandSpec.create().name(NAME).version(version());
        spec.mixinStandardHelpOptions(true);
        spec.parser().overwrittenOptionsAllowed(true).useSimplifiedAtFiles(true); // @FILE: one argument a line
        spec.usageMessage()
                .sortOptions(false)
                .width(110)
                .longOptionsMaxWidth(40)
                .customSynopsis(
                        "Usage: java -jar sip-ha-anycast-watchdog.jar --sip-target HOST:PORT [OPTION]... [@FILE]")
                .description(
                        "Probes a SIP proxy with OPTIONS (and optionally a check command) and announces the anycast",
                        "prefix through BIRD, ExaBGP, FRR or a hook only while it is healthy, with a dead-man relay",
                        "that withdraws if this process dies. Options are written --name value or --name=value.")
                .footer(
                        "",
                        "@FILE reads arguments from FILE, one per line. Exit status: 0 after SIGTERM (prefix",
                        "withdrawn) or --check/--help/--version, 2 bad options, 3 start-up failure.");
        spec.addOption(OptionSpec.builder("--check")
                .arity("0")
                .type(boolean.class)
                .hasInitialValue(false)
                .description("Validate the options and exit: 0 if the watchdog can start with them, 2 if not."
                        + " Probes and announces nothing.")
                .setter(collect(v -> commands[0] = Boolean.parseBoolean(v)))
                .build());
        spec.addOption(OptionSpec.builder("--withdraw")
                .arity("0")
                .type(boolean.class)
                .hasInitialValue(false)
                .description("Withdraw the route (and remove --address) through the configured announcer, then exit:"
                        + " 0 done, 1 the daemon could not be reached, 2 bad options. For systemd's ExecStopPost, so"
                        + " the route never outlives the watchdog however it stopped. Probes nothing.")
                .setter(collect(v -> commands[1] = Boolean.parseBoolean(v)))
                .build());
        List<AnycastOptions.OptionInfo> all = new ArrayList<>(WatchdogOptions.OWN_OPTIONS);
        all.addAll(AnycastOptions.OPTIONS);
        for (AnycastOptions.OptionInfo o : all) {
            spec.addOption(option(o, v -> options.put(o.name(), v)));
        }
        for (AnycastOptions.OptionInfo o : LOG_OPTIONS) {
            spec.addOption(option(o, v -> logOptions.put(o.name(), v)));
        }
        return spec;
    }

    private static OptionSpec option(AnycastOptions.OptionInfo o, Consumer<String> sink) {
        String[] description = o.defaultValue() == null
                ? new String[] {o.description()}
                : new String[] {o.description(), "Default: " + o.defaultValue()};
        return OptionSpec.builder("--" + o.name())
                .paramLabel(o.label())
                .type(String.class)
                .arity("1")
                .hasInitialValue(false)
                .description(description)
                .setter(collect(sink))
                .build();
    }

    private static ISetter collect(Consumer<String> sink) {
        return new ISetter() {
            @Override
            public <T> T set(T value) {
                if (value != null) {
                    sink.accept(String.valueOf(value));
                }
                return null;
            }
        };
    }

    private static String message(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()) {
            List<String> unmatched = u.getUnmatched();
            String arg = unmatched.get(0);
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                return "unknown option " + (eq < 0 ? arg : arg.substring(0, eq)) + " (see --help)";
            }
            return "expected --name=value or --name value, got " + unmatched;
        }
        if (e instanceof CommandLine.MissingParameterException m
                && !m.getMissing().isEmpty()) {
            ArgSpec a = m.getMissing().get(0);
            if (a instanceof OptionSpec o) {
                return o.longestName() + ": a value is required";
            }
        }
        return e.getMessage();
    }
}
