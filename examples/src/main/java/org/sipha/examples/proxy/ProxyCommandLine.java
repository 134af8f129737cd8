package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The reference proxy's command line, built with picocli from {@link ProxyOptionTable#ROWS}: each row is an option
 * written {@code --name value} or {@code --name=value} (a flag {@code --name} / {@code --no-name}), plus
 * {@code --config FILE}, {@code --check}, {@code --help} and {@code --version}. {@code @FILE} stands for the
 * arguments in FILE, one per line. Values are only collected here, in order; {@link ProxyOptions#resolve} applies
 * them over the YAML file and the environment. Used once, by the thread that starts the proxy.
 */
final class ProxyCommandLine {
    static final String NAME = "sip-ha-proxy";

    /** One value given on the command line for {@code row}. */
    record Given(OptionRow row, String value) {}

    /**
     * What the command line says.
     *
     * @param given       the rows' values in the order given
     * @param configFiles the {@code --config} files in the order given
     * @param help        {@code --help}: print the usage and exit
     * @param version     {@code --version}: print the version and exit
     * @param check       {@code --check}: validate the configuration and exit without binding anything
     * @param withdraw    {@code --withdraw}: withdraw the site node's anycast route and exit
     */
    record Parsed(
            List<Given> given,
            List<Path> configFiles,
            boolean help,
            boolean version,
            boolean check,
            boolean withdraw) {}

    private ProxyCommandLine() {}

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException whose message starts with the option (or argument) that is wrong
     */
    static Parsed parse(String[] args) {
        List<Given> given = new ArrayList<>();
        List<Path> configs = new ArrayList<>();
        boolean[] check = new boolean[2];
        CommandLine cl = new CommandLine(spec(given, configs, check));
        CommandLine.ParseResult r;
        try {
            r = cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(message(e), e);
        }
        return new Parsed(
                List.copyOf(given),
                List.copyOf(configs),
                r.isUsageHelpRequested(),
                r.isVersionHelpRequested(),
                check[0],
                check[1]);
    }

    /** The text {@code --help} prints: every option with its default and meaning. */
    static String usage() {
        StringWriter out = new StringWriter();
        new CommandLine(spec(new ArrayList<>(), new ArrayList<>(), new boolean[2]))
                .usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out + "\nConfiguration versions in Galera (docs/configuration.md):\n"
                + "  java -jar sip-ha-proxy.jar config push|list|show|diff|rollback ...\n";
    }

    /** The long names of every option the command line accepts, hidden ones included. */
    static List<String> optionNames() {
        List<String> names = new ArrayList<>();
        spec(new ArrayList<>(), new ArrayList<>(), new boolean[2]).options().forEach(o -> names.add(o.longestName()));
        return names;
    }

    /** {@code sip-ha-proxy VERSION}, the version the jar was built as. */
    static String version() {
        return NAME + " " + buildVersion(ProxyCommandLine.class, "version.properties");
    }

    /** The {@code version} property of resource {@code name} beside {@code c}, which Maven fills in. */
    static String buildVersion(Class<?> c, String name) {
        Properties p = new Properties();
        try (InputStream in = c.getResourceAsStream(name)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** {@code commands[0]}: {@code --check} given; {@code commands[1]}: {@code --withdraw} given. */
    private static CommandSpec spec(List<Given> given, List<Path> configs, boolean[] commands) {
        CommandSpec spec = CommandSpec.create().name(NAME).version(version());
        spec.mixinStandardHelpOptions(true);
        spec.parser().overwrittenOptionsAllowed(true).useSimplifiedAtFiles(true); // @FILE: one argument a line
        spec.usageMessage()
                .sortOptions(false)
                .width(110)
                .longOptionsMaxWidth(44)
                .customSynopsis("java -XX:+ExitOnOutOfMemoryError -jar sip-ha-proxy.jar [OPTION]... [@FILE]")
                .description(
                        "The sip-ha reference proxy. Options are written --name value or --name=value; every option",
                        "is also a key of the --config YAML file, named without the dashes (health: false for",
                        "--no-health). The command line overrides the environment, which overrides the YAML file.")
                .footer(
                        "",
                        "Environment: " + ProxyOptions.SECRET_ENV + ", " + ProxyOptions.PREVIOUS_SECRET_ENV + ", "
                                + ProxyOptions.GALERA_PASSWORD_ENV + " hold the secrets.",
                        "With no --backend and no --dispatcher-list, two in-process demo backends run on",
                        "127.0.0.1:5081 and :5082. @FILE reads arguments from FILE, one per line.",
                        "Exit status: 0 after SIGTERM (drained) or --check/--help/--version, 2 bad configuration,",
                        "70 an internal fault (see docs/reference-proxy.md).");
        spec.addOption(option("--config", "FILE", "A YAML file with any of the keys below; repeat to layer several.")
                .setter(collect(v -> configs.add(Path.of(v))))
                .build());
        spec.addOption(OptionSpec.builder("--check")
                .arity("0")
                .type(boolean.class)
                .hasInitialValue(false)
                .description(
                        "Validate the configuration (YAML, dispatcher lists, secrets, every value) and exit: 0 if it"
                                + " can start, 2 if not. Binds nothing.")
                .setter(collect(v -> commands[0] = Boolean.parseBoolean(v)))
                .build());
        spec.addOption(OptionSpec.builder("--withdraw")
                .arity("0")
                .type(boolean.class)
                .hasInitialValue(false)
                .description("Withdraw the site node's anycast route (and remove --address) through its announcer, then"
                        + " exit: 0 done or nothing to withdraw, 1 the daemon could not be reached, 2 bad"
                        + " configuration. For systemd's ExecStopPost, so the route never outlives the"
                        + " proxy however it stopped. Binds nothing.")
                .setter(collect(v -> commands[1] = Boolean.parseBoolean(v)))
                .build());
        for (OptionRow row : ProxyOptionTable.ROWS) {
            spec.addOption(rowOption(row, given));
        }
        OptionRow transport = ProxyOptionTable.byYamlKey("transport");
        spec.addOption(OptionSpec.builder("--nio")
                .arity("0")
                .type(boolean.class)
                .hasInitialValue(false)
                .hidden(true) // the older spelling of --transport nio
                .setter(collect(v -> given.add(new Given(transport, "nio"))))
                .build());
        return spec;
    }

    private static OptionSpec rowOption(OptionRow row, List<Given> given) {
        String[] description = row.defaultValue() == null
                ? new String[] {row.description()}
                : new String[] {row.description(), "Default: " + row.defaultValue()};
        ISetter setter = collect(v -> given.add(new Given(row, v)));
        if (row.kind() == OptionRow.Kind.FLAG) {
            return OptionSpec.builder(row.option())
                    .type(boolean.class)
                    .negatable(true)
                    .hasInitialValue(false)
                    .description(description)
                    .setter(setter)
                    .build();
        }
        return option(row.option(), row.label(), description).setter(setter).build();
    }

    private static OptionSpec.Builder option(String name, String label, String... description) {
        return OptionSpec.builder(name)
                .paramLabel(label)
                .type(String.class)
                .arity("1")
                .hasInitialValue(false)
                .description(description);
    }

    /** A setter that hands each value picocli matches to {@code sink}, as text. */
    private static ISetter collect(java.util.function.Consumer<String> sink) {
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

    /** picocli's complaint, starting with the option or argument at fault as the proxy's own messages do. */
    static String message(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            return arg.startsWith("-")
                    ? arg + ": unknown option (see --help)"
                    : arg + ": unexpected argument; options are written --name value or --name=value (see --help)";
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
