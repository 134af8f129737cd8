package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.config.ConfigContent;
import org.sipha.galera.config.ConfigDiff;
import org.sipha.galera.config.ConfigRefusedException;
import org.sipha.galera.config.ConfigVersion;
import org.sipha.galera.config.DispatcherListText;
import org.sipha.galera.config.DispatcherRow;
import org.sipha.galera.config.GaleraConfigStore;
import org.sipha.galera.config.VersionSummary;

/**
 * {@code java -jar sip-ha-proxy.jar config push|list|show|diff|rollback ...}: publishes and inspects the
 * configuration versions the proxies follow with {@code --config-from-galera} (docs/configuration.md). It reaches
 * the cluster as a proxy does, through a quorum client over the {@code --galera-*} options (or those of a
 * {@code --config} YAML file), so it writes only to a node the client trusts. A list is checked as the proxies will
 * check it before it is published. Exit status: 0 done, 1 the cluster could not be used, 2 a wrong command or a
 * version the proxies would refuse. Runs on the caller's thread.
 */
final class ConfigCommand {
    static final String NAME = "config";
    static final String USAGE = """
            usage: java -jar sip-ha-proxy.jar config push DISPATCHER_LIST [--comment TEXT] [--dry-run] [--force]
                        [--record-route-secret-file FILE [--record-route-previous-secret-file FILE]
                         | --no-record-route-secret]
                   java -jar sip-ha-proxy.jar config list [--limit N]
                   java -jar sip-ha-proxy.jar config show VERSION
                   java -jar sip-ha-proxy.jar config diff FROM_VERSION TO_VERSION
                   java -jar sip-ha-proxy.jar config rollback VERSION [--comment TEXT]
              each with the cluster's options: --galera-node HOST:PORT... --galera-user U
                   --galera-password-file FILE (or SIPHA_GALERA_PASSWORD) [--galera-database D] [--galera-voters N],
                   or --config proxy.yaml holding them
            push publishes the list (and secrets: by default those of the version in force) as the next version;
            rollback publishes an old version's content as the next version. Versions are never changed or removed.""";
    private static final long QUORUM_WAIT_MS = 15_000;

    private final PrintStream out;
    private final PrintStream err;
    private final List<String> rest = new ArrayList<>();
    private final List<String> positional = new ArrayList<>();
    private String comment = "";
    private boolean dryRun;
    private boolean force;
    private boolean noSecret;
    private Path secretFile;
    private Path previousSecretFile;
    private int limit = 20;

    private ConfigCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code args} (what follows {@code config}) with the process's environment; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** Runs {@code args} with the environment {@code env}; returns the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        ConfigCommand c = new ConfigCommand(out, err);
        try {
            c.parse(args);
            if (c.positional.isEmpty()
                    || c.positional.get(0).equals("--help")
                    || c.positional.get(0).equals("help")) {
                out.println(USAGE);
                return c.positional.isEmpty() ? 2 : 0;
            }
            ProxyOptions o = ProxyOptions.parse(c.rest.toArray(new String[0]), env);
            if (o.galeraNodes.isEmpty()) {
                throw new IllegalArgumentException("--galera-node: the cluster's nodes are required");
            }
            return c.execute(o);
        } catch (IllegalArgumentException e) {
            err.println("sip-ha-proxy config: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("sip-ha-proxy config: " + e);
            return 2;
        } catch (ConfigRefusedException e) {
            err.println("sip-ha-proxy config: the proxies would refuse this version: " + e.getMessage());
            return 2;
        } catch (SQLException | IllegalStateException e) {
            err.println("sip-ha-proxy config: the cluster could not be used: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--comment" -> comment = value(args, ++i, a);
                case "--dry-run" -> dryRun = true;
                case "--force" -> force = true;
                case "--no-record-route-secret" -> noSecret = true;
                case "--record-route-secret-file" -> secretFile = Path.of(value(args, ++i, a));
                case "--record-route-previous-secret-file" -> previousSecretFile = Path.of(value(args, ++i, a));
                case "--limit" -> limit = (int) number(value(args, ++i, a), a);
                default -> {
                    if (a.startsWith("--")) {
                        rest.add(a);
                        rest.add(value(args, ++i, a)); // every cluster option takes a value
                    } else {
                        positional.add(a);
                    }
                }
            }
        }
        if (noSecret && (secretFile != null || previousSecretFile != null)) {
            throw new IllegalArgumentException("--no-record-route-secret: not with a secret file");
        }
        if (previousSecretFile != null && secretFile == null) {
            throw new IllegalArgumentException("--record-route-previous-secret-file: needs --record-route-secret-file");
        }
    }

    private int execute(ProxyOptions o) throws SQLException, IOException, ConfigRefusedException, InterruptedException {
        String verb = positional.get(0);
        int arity = switch (verb) {
            case "push", "show", "rollback" -> 2;
            case "diff" -> 3;
            case "list" -> 1;
            default ->
                throw new IllegalArgumentException(
                        verb + ": unknown config command (push, list, show, diff," + " rollback)");
        };
        if (positional.size() != arity) {
            throw new IllegalArgumentException(verb + ": expected " + (arity - 1) + " argument(s); see config --help");
        }
        ConfigContent pushed = verb.equals("push") ? readList(Path.of(positional.get(1))) : null;
        try (GaleraQuorumClient client = GaleraQuorumClient.start(
                QuorumWiring.configBuilder(o).canaryIntervalMs(0).build())) {
            awaitQuorate(client);
            GaleraConfigStore store = new GaleraConfigStore(client.dataSource());
            return switch (verb) {
                case "push" -> push(store, pushed, o);
                case "list" -> list(store);
                case "show" -> show(store, version(positional.get(1)));
                case "diff" -> diff(store, version(positional.get(1)), version(positional.get(2)));
                default -> rollback(store, version(positional.get(1)), o);
            };
        }
    }

    /** The list's rows and the secrets given; checked once the version in force gave the secrets not given. */
    private ConfigContent readList(Path file) throws IOException {
        List<DispatcherRow> rows = DispatcherListText.parse(Files.readString(file, StandardCharsets.UTF_8));
        return new ConfigContent(rows, secret(secretFile), secret(previousSecretFile));
    }

    private int push(GaleraConfigStore store, ConfigContent list, ProxyOptions o)
            throws SQLException, ConfigRefusedException {
        Optional<ConfigVersion> active = store.readActive();
        ConfigContent content = list;
        if (secretFile == null && !noSecret && active.isPresent()) {
            ConfigContent a = active.get().content();
            content = new ConfigContent(list.rows(), a.recordRouteSecret(), a.previousRecordRouteSecret());
        }
        check(content, o);
        ConfigDiff diff = ConfigDiff.between(active.map(ConfigVersion::content).orElse(null), content);
        out.println(
                "against version " + active.map(v -> Long.toString(v.number())).orElse("none") + ": " + diff.summary());
        diff.lines().forEach(l -> out.println("  " + l));
        if (diff.isEmpty() && !force) {
            out.println("no change: nothing published (--force publishes anyway)");
            return 0;
        }
        if (dryRun) {
            out.println("dry run: nothing published");
            return 0;
        }
        long v = store.publish(content, author(), comment);
        out.println("published version " + v);
        return 0;
    }

    private int list(GaleraConfigStore store) throws SQLException {
        List<VersionSummary> versions = store.list(limit);
        if (versions.isEmpty()) {
            out.println("no configuration version published yet");
        }
        for (VersionSummary v : versions) {
            out.printf(
                    "%s %6d  %s  %-24s %3d rows  key %s%s%s%s%n",
                    v.active() ? "*" : " ",
                    v.number(),
                    v.createdAt(),
                    v.createdBy(),
                    v.rows(),
                    v.keyId() == null ? "(proxies' own)" : v.keyId(),
                    v.previousKeyId() == null ? "" : " (previous " + v.previousKeyId() + ")",
                    v.rolledBackFrom() > 0 ? "  rollback to " + v.rolledBackFrom() : "",
                    v.comment().isEmpty() ? "" : "  " + v.comment());
        }
        return 0;
    }

    private int show(GaleraConfigStore store, long number) throws SQLException {
        ConfigVersion v = store.read(number)
                .orElseThrow(() -> new IllegalArgumentException("there is no configuration version " + number));
        out.println("# " + v.describe());
        out.print(v.content().dispatcherList());
        return 0;
    }

    private int diff(GaleraConfigStore store, long from, long to) throws SQLException {
        ConfigDiff d = store.diff(from, to);
        out.println("from version " + from + " to version " + to + ": " + d.summary());
        d.lines().forEach(l -> out.println("  " + l));
        return 0;
    }

    private int rollback(GaleraConfigStore store, long to, ProxyOptions o) throws SQLException, ConfigRefusedException {
        ConfigVersion old = store.read(to)
                .orElseThrow(() -> new IllegalArgumentException("there is no configuration version " + to));
        check(old.content(), o);
        long v = store.rollback(to, author(), comment.isEmpty() ? "rollback to version " + to : comment);
        out.println("published version " + v + " with the content of version " + to);
        return 0;
    }

    /**
     * Checks {@code content} as {@link RoutingFromVersion} will on every proxy: on one routing {@code o}'s route set,
     * then on one routing each of its other sets.
     */
    private static void check(ConfigContent content, ProxyOptions o) throws ConfigRefusedException {
        ConfigVersion v = new ConfigVersion(1, Instant.now(), "", "", 0, content);
        for (int id : RoutingFromVersion.read(v, o).otherSets()) {
            RoutingFromVersion.read(v, o, id);
        }
    }

    private void awaitQuorate(GaleraQuorumClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUORUM_WAIT_MS);
        while (!client.view().siteQuorate()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no trusted node within " + QUORUM_WAIT_MS + " ms: "
                        + client.view().nodes());
            }
            Thread.sleep(50);
        }
    }

    private static String secret(Path file) {
        if (file == null) {
            return null;
        }
        List<String> warnings = new ArrayList<>();
        Secret s = Secret.fromFile(file, file.toString(), Secret.Origin.COMMAND_LINE, warnings);
        return s.text();
    }

    private static String author() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "?") + "@" + host;
    }

    private static long version(String s) {
        return number(s, "version");
    }

    private static long number(String s, String what) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": not a number: " + s, e);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + ": a value is required");
        }
        return args[i];
    }
}
