package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The option table drives the command line, the YAML file and the help alike: every option is a YAML key and every
 * YAML key an option, each with the same effect, and {@code --help} lists each with its default.
 */
class ProxyOptionTableTest {
    /** Options of the command line only: what to do, not how to run. */
    private static final Set<String> COMMAND_LINE_ONLY =
            Set.of("--help", "--version", "--config", "--check", "--withdraw", "--nio");

    @TempDir
    Path dir;

    private final Map<String, String> samples = new TreeMap<>();

    @BeforeEach
    void writeSampleFiles() throws Exception {
        Path secret = dir.resolve("rr.secret");
        Files.writeString(secret, "a passphrase of more than thirty-two bytes\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path list = dir.resolve("dispatcher.list");
        Files.writeString(list, "1 sip:127.0.0.1:5091 0 5 duid=pbx9;weight=2\n");
        samples.put("listen", "tcp:127.0.0.1:15061");
        samples.put("advertise", "192.0.2.10:5060");
        samples.put("allow", "192.0.2.0/24");
        samples.put("backend", "sip:127.0.0.1:5090;transport=tcp");
        samples.put("dispatcher-list", list.toString());
        samples.put("algorithm", "least-calls");
        samples.put("failover-codes", "480");
        samples.put("record-route-secret-file", secret.toString());
        samples.put("record-route-secret", "an inline passphrase of more than 32 bytes");
        samples.put("record-route-previous-secret-file", secret.toString());
        samples.put("record-route-previous-secret", "an inline passphrase of more than 32 bytes");
        samples.put("galera-password-file", secret.toString());
        samples.put("galera-password", "pw");
        samples.put("admin-listen", "off");
        samples.put("accounting", "true");
        samples.put("accounting-queue", "64");
        samples.put("accounting-spool-max-bytes", "2097152");
        samples.put("admin-token-file", secret.toString());
        samples.put("transport", "nio");
        samples.put("health", "false");
        samples.put("cancel-across-proxies", "false");
        samples.put("trying-on-answer", "true");
        samples.put("process-address", "198.51.100.10/32");
        samples.put("galera-node", "127.0.0.1:13306");
        samples.put("quorum-loss", "ignore");
        samples.put("rate-limit-reply", "503");
        samples.put("anycast", "198.51.100.10/32");
        samples.put("announcer", "hook");
        samples.put("damping", "1000,2000,750,8000,2000");
        samples.put("drain-on-proxy-failure", "true");
        samples.put("bird-drain-protocol", "-");
        samples.put("exabgp-drain-attributes", "community [65535:666]");
        samples.put("log-format", "json");
        samples.put("log-level", "debug");
        samples.put("config-poll-ms", "500");
        samples.put("config-start-wait-ms", "2000");
    }

    /** A value the row accepts: from {@link #samples}, else by the kind of value its label names. */
    private String sample(OptionRow r) {
        String s = samples.get(r.name());
        if (s != null) {
            return s;
        }
        return switch (r.label()) {
            case "N", "K", "S" -> "7";
            case "PATH", "FILE", "DIR" -> "/var/lib/sipha/" + r.name();
            default -> r.name() + "-value";
        };
    }

    @Test
    void everyOptionIsAYamlKeyAndEveryYamlKeyAnOption() {
        Set<String> options = new TreeSet<>(ProxyCommandLine.optionNames());
        options.removeAll(COMMAND_LINE_ONLY);
        Set<String> keys = new TreeSet<>();
        for (OptionRow r : ProxyOptionTable.ROWS) {
            keys.add("--" + r.name());
            for (String alias : r.yamlAliases()) {
                assertEquals(r, ProxyOptionTable.byYamlKey(alias), alias + " is read as " + r.name());
            }
            assertEquals(r, ProxyOptionTable.byYamlKey(r.name()));
        }
        assertEquals(keys, options);
        assertTrue(options.size() > 60, "the proxy's and the site node's options: " + options.size());
    }

    @Test
    void eachOptionHasTheSameEffectOnTheCommandLineWrittenEitherWayAndInYaml() throws Exception {
        for (OptionRow r : ProxyOptionTable.ROWS) {
            String v = sample(r);
            String[] spaced = r.kind() == OptionRow.Kind.FLAG
                    ? new String[] {Boolean.parseBoolean(v) ? r.option() : "--no-" + r.name()}
                    : new String[] {r.option(), v};
            String[] joined = r.kind() == OptionRow.Kind.FLAG ? spaced : new String[] {r.option() + "=" + v};
            Path yaml = dir.resolve(r.name() + ".yaml");
            Files.writeString(yaml, r.name() + ": \"" + v.replace("\"", "\\\"") + "\"\n");
            if (r.name().startsWith("record-route-previous-secret")) { // needs a current secret, in the same layer
                String current = samples.get("record-route-secret-file");
                spaced = append(spaced, "--record-route-secret-file", current);
                joined = append(joined, "--record-route-secret-file=" + current);
                Files.writeString(yaml, "record-route-secret-file: " + current + "\n", StandardOpenOption.APPEND);
            }

            if (r.name().startsWith("config-")) { // configuration from Galera needs a node, in the same layer
                spaced = append(spaced, "--galera-node", "127.0.0.1:13306");
                joined = append(joined, "--galera-node=127.0.0.1:13306");
                Files.writeString(yaml, "galera-node: 127.0.0.1:13306\n", StandardOpenOption.APPEND);
                if (!r.name().equals("config-from-galera")) {
                    spaced = append(spaced, "--config-from-galera", "/var/lib/sipha/config");
                    joined = append(joined, "--config-from-galera=/var/lib/sipha/config");
                    Files.writeString(yaml, "config-from-galera: /var/lib/sipha/config\n", StandardOpenOption.APPEND);
                }
            }

            Map<String, String> fromSpaced = state(ProxyOptions.parse(spaced, Map.of()));
            Map<String, String> fromJoined = state(ProxyOptions.parse(joined, Map.of()));
            Map<String, String> fromYaml =
                    state(ProxyOptions.parse(new String[] {"--config", yaml.toString()}, Map.of()));
            Map<String, String> defaults = state(ProxyOptions.parse(new String[0], Map.of()));
            assertEquals(fromSpaced, fromJoined, r.name() + ": --name value and --name=value");
            assertEquals(fromSpaced, fromYaml, r.name() + ": the option and the YAML key");
            assertFalse(fromSpaced.equals(defaults), r.name() + " " + v + " changed nothing");
        }
    }

    @Test
    void theTablesDefaultsAreWhatAnEmptyCommandLineGives() {
        Map<String, String> defaults = state(ProxyOptions.parse(new String[0], Map.of()));
        for (OptionRow r : ProxyOptionTable.ROWS) {
            if (!r.defaultApplied()) {
                continue;
            }
            String[] args = r.kind() == OptionRow.Kind.FLAG
                    ? new String[] {Boolean.parseBoolean(r.defaultValue()) ? r.option() : "--no-" + r.name()}
                    : new String[] {r.option(), r.defaultValue()};
            assertEquals(defaults, state(ProxyOptions.parse(args, Map.of())), r.name() + " " + r.defaultValue());
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndMeaning() {
        String help = ProxyCommandLine.usage();
        for (OptionRow r : ProxyOptionTable.ROWS) {
            String shown = r.kind() == OptionRow.Kind.FLAG ? "--[no-]" + r.name() : r.option() + "=" + r.label();
            int at = help.indexOf(shown);
            assertTrue(at >= 0, shown + " missing from --help");
            String entry = help.substring(at, nextOption(help, at));
            assertTrue(entry.contains(firstWords(r.description())), r.name() + ": " + entry);
            if (r.defaultValue() != null) {
                assertTrue(entry.contains("Default: " + r.defaultValue()), r.name() + ": " + entry);
            }
        }
        for (String o : List.of("--config=FILE", "--check", "--withdraw", "--help", "--version")) {
            assertTrue(help.contains(o), o);
        }
        assertFalse(help.contains("--nio"), "--nio is an older spelling, not listed");
    }

    @Test
    void listsGivenOnTheCommandLineReplaceTheYamlFilesExceptAllowAndGaleraNodes() throws Exception {
        Path yaml = dir.resolve("lists.yaml");
        Files.writeString(yaml, """
            listen: [ "udp:127.0.0.1:15062" ]
            backends: [ "sip:127.0.0.1:5081", "sip:127.0.0.1:5082" ]
            allow: [ "192.0.2.0/24" ]
            failover-codes: [ 503, 480 ]
            """);
        ProxyOptions fromYaml = ProxyOptions.parse(new String[] {"--config", yaml.toString()}, Map.of());
        assertEquals(List.of("udp:127.0.0.1:15062"), fromYaml.listen, "the file's list replaces the default");
        assertEquals(2, fromYaml.backends.size());
        assertEquals(Set.of(503, 480), fromYaml.failoverCodes);

        ProxyOptions o = ProxyOptions.parse(
                new String[] {
                    "--config",
                    yaml.toString(),
                    "--allow",
                    "198.51.100.0/24",
                    "--allow=203.0.113.0/24",
                    "--backend=sip:127.0.0.1:5083",
                    "--failover-codes",
                    "500,502"
                },
                Map.of());
        assertEquals(List.of("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"), o.allow, "allow adds");
        assertEquals(
                List.of("sip:127.0.0.1:5083"),
                o.backends.stream().map(ProxyOptions::addressKey).toList());
        assertEquals(Set.of(500, 502), o.failoverCodes);
        assertEquals(List.of("udp:127.0.0.1:15062"), o.listen, "not given on the command line: the file's");
    }

    @Test
    void argumentsComeFromAFileNamedWithAnAt() throws Exception {
        Path args = dir.resolve("proxy.args");
        Files.writeString(args, "--backend\nsip:127.0.0.1:5081\n--failover-timeout-ms=900\n--no-health\n");
        ProxyOptions o = ProxyOptions.parse(new String[] {"@" + args}, Map.of());
        assertEquals(1, o.backends.size());
        assertEquals(900, o.failoverTimeoutMs);
        assertFalse(o.health);
    }

    @Test
    void theOlderNioSpellingStillWorks() {
        assertEquals(
                ProxyOptions.parse(new String[] {"--transport", "nio"}, Map.of()).transport,
                ProxyOptions.parse(new String[] {"--nio"}, Map.of()).transport);
    }

    private static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    /** Every field of {@code o} as text (secrets by their value, the site node's options by theirs). */
    private static Map<String, String> state(ProxyOptions o) {
        Map<String, String> m = new TreeMap<>();
        try {
            for (Field f : ProxyOptions.class.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        || f.getName().equals("warnings")
                        || f.getName().equals("listLayers")) {
                    continue;
                }
                f.setAccessible(true);
                Object v = f.get(o);
                if (v instanceof Secret s) {
                    v = s.text();
                } else if (v instanceof SiteNodeOptions site) {
                    Field values = SiteNodeOptions.class.getDeclaredField("values");
                    values.setAccessible(true);
                    v = values.get(site);
                }
                m.put(f.getName(), String.valueOf(v));
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        assertNotNull(m.get("listen"));
        return m;
    }

    private static int nextOption(String help, int from) {
        int next = help.indexOf("\n      --", from + 1);
        return next < 0 ? help.length() : next;
    }

    /** The description's first three words, which the help keeps on one line. */
    private static String firstWords(String description) {
        String[] w = description.split(" ");
        List<String> first = new ArrayList<>(List.of(w).subList(0, Math.min(3, w.length)));
        return String.join(" ", first);
    }
}
