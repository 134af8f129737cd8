package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Publishes the sites' destinations as a configuration version in the drill's Galera cluster, as an operator does:
 * the proxy jar's {@code config push}, run in site A's namespace against site A's Galera nodes. The first push gives
 * the Record-Route secret; later ones keep the version in force's. Output appended to {@code config-push.log}. The
 * drill's thread.
 */
final class GaleraConfigPush {
    private final DrillOptions options;
    private boolean secretGiven;

    GaleraConfigPush(DrillOptions options) {
        this.options = options;
    }

    /** Publishes both sites' sets without the PBXs {@code out}; throws if the command fails. */
    void push(Set<String> out, String comment) {
        try {
            Path list = options.out().resolve("config-push.list");
            Files.writeString(list, DestinationLists.shared(out));
            List<String> cmd = new ArrayList<>(List.of(
                    "ip",
                    "netns",
                    "exec",
                    Topology.A.ns(),
                    options.java(),
                    "-Xmx128m",
                    "-jar",
                    options.jar().toString(),
                    "config",
                    "push",
                    list.toString(),
                    "--comment",
                    comment));
            if (!secretGiven) {
                cmd.addAll(List.of(
                        "--record-route-secret-file",
                        SiteNodeProxy.secret(options.out()).toString()));
            }
            cmd.addAll(options.galeraArgs(Topology.A));
            String output = Shell.run(cmd.toArray(new String[0]));
            secretGiven = true;
            Files.writeString(
                    options.out().resolve("config-push.log"),
                    "--- " + System.currentTimeMillis() + " " + comment + "\n" + output,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
