package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run of the drill: builds the topology, starts the router, the Galera cluster, both sites and the carrier's
 * load, injects each fault into site A in turn and repairs it, then tears everything down and measures each fault
 * from the carrier's per-call log. One thread runs it; {@link #run()} once.
 */
final class Drill {
    private static final long START_TIMEOUT_MS = 120_000;
    private static final long BACK_TIMEOUT_MS = 60_000;
    private static final long SETTLE_MS = 4_000;

    private final DrillOptions options;
    private final List<String> notes = new ArrayList<>();
    private final List<KamailioSite> kamailios = new ArrayList<>();

    Drill(DrillOptions options) {
        this.options = options;
    }

    DrillRun run() throws IOException {
        Files.createDirectories(options.out());
        for (String previous :
                List.of("calls.log", "carrier.log", "carrier-errors.log", "report.md", "proxy-A.log", "proxy-B.log")) {
            Files.deleteIfExists(options.out().resolve(previous));
        }
        Namespaces.removeStale();
        Namespaces namespaces = new Namespaces();
        try (ChildProcesses children = new ChildProcesses()) {
            namespaces.create(options.anchor());
            return runIn(namespaces, children);
        } finally {
            namespaces.deleteAll(); // after every process is gone (the children were closed first)
        }
    }

    private DrillRun runIn(Namespaces namespaces, ChildProcesses children) throws IOException {
        Router router = new Router(children, options.out());
        router.start();
        GaleraCluster galera = new GaleraCluster(children, options);
        try {
            if (options.galeraNodesPerSite() > 0) {
                galera.start();
                log("Galera cluster synced");
            }
            return load(namespaces, children, router, galera);
        } finally {
            children.close();
            galera.deleteData();
        }
    }

    private DrillRun load(Namespaces namespaces, ChildProcesses children, Router router, GaleraCluster galera)
            throws IOException {
        List<Pbx> pbxsA = pbxs(children, Topology.A);
        List<Pbx> pbxsB = pbxs(children, Topology.B);
        pbxsA.forEach(Pbx::start);
        pbxsB.forEach(Pbx::start);
        Consumer<Set<String>> destinations = destinations();
        if (!options.anchor() && options.galeraNodesPerSite() > 0) {
            destinations.accept(Set.of()); // the version both site nodes start from
        }
        SiteProxy proxyA = proxy(children, Topology.A);
        SiteProxy proxyB = proxy(children, Topology.B);
        proxyA.start();
        proxyB.start();
        if (!router.awaitBothAnnounced(START_TIMEOUT_MS)) {
            throw new IllegalStateException(
                    "the sites did not both announce within " + START_TIMEOUT_MS + " ms; see " + options.out());
        }
        log("both sites announce; site A preferred");
        Carrier carrier = new Carrier(children, options.scenarios().resolve("uac_drill.xml"), options.out());
        double loadStart = System.currentTimeMillis();
        carrier.start(options.callsPerSecond(), options.holdMs());
        sleep(SETTLE_MS + options.holdMs());
        FaultInjector injector = new FaultInjector(namespaces, proxyA, pbxsA, destinations);
        List<double[]> times = new ArrayList<>();
        for (Fault f : options.faults()) {
            double inject = System.currentTimeMillis();
            log("fault " + f.id + ": " + f.description);
            injector.inject(f);
            sleep(options.faultMs());
            double repair = System.currentTimeMillis();
            log("repair " + f.id);
            injector.repair(f);
            if (!router.awaitPreferred("A", BACK_TIMEOUT_MS)) {
                notes.add("fault " + f.id + ": site A was not preferred again within " + BACK_TIMEOUT_MS + " ms");
            }
            if (f == Fault.QUORUM_LOST && options.galeraNodesPerSite() > 0) {
                galera.awaitSynced(60_000);
            }
            sleep(SETTLE_MS + options.holdMs());
            times.add(new double[] {inject, repair});
        }
        double loadEnd = System.currentTimeMillis();
        carrier.stop(options.holdMs() + 15_000);
        AccountingRecords accounting = null;
        if (options.accounting()) {
            sleep(5_000); // the writers' last batches
            List<Double> kills = new ArrayList<>();
            for (int i = 0; i < options.faults().size(); i++) {
                if (options.faults().get(i) == Fault.PROXY_KILLED) {
                    kills.add(times.get(i)[0]);
                }
            }
            accounting = AccountingRecords.read(galera, kills);
        }
        List<FaultWindow> windows = new ArrayList<>();
        List<Fault> faults = options.faults();
        for (int i = 0; i < faults.size(); i++) {
            double end = i + 1 < faults.size() ? times.get(i + 1)[0] : loadEnd;
            windows.add(new FaultWindow(faults.get(i), times.get(i)[0], times.get(i)[1], end));
        }
        List<CallLog.Call> calls = CallLog.read(carrier.callLog());
        AccountingRecords records = accounting;
        List<FaultResult> results = windows.stream()
                .map(w -> CallLogAnalysis.analyse(calls, w, options.holdMs(), records))
                .toList();
        if (records != null) {
            for (FaultWindow w : windows) {
                String missing = records.missing(calls.stream()
                        .filter(c -> CallLogAnalysis.inWindow(c, w))
                        .toList());
                if (!missing.isEmpty()) {
                    notes.add("fault " + w.fault().id + ": accounting records missing:" + " " + missing);
                }
            }
        }
        return new DrillRun(options, proxyA.describe(), loadStart, loadEnd, windows, calls, results, notes);
    }

    private List<Pbx> pbxs(ChildProcesses children, Topology.Site site) {
        return List.of(
                new Pbx(
                        children,
                        site,
                        0,
                        options.scenarios().resolve("pbx.cfg"),
                        options.out(),
                        options.answerDelayMs()),
                new Pbx(
                        children,
                        site,
                        1,
                        options.scenarios().resolve("pbx.cfg"),
                        options.out(),
                        options.answerDelayMs()));
    }

    private SiteProxy proxy(ChildProcesses children, Topology.Site site) {
        if (options.anchor()) {
            KamailioSite k = new KamailioSite(children, site, options, options.out());
            kamailios.add(k);
            return k;
        }
        return new SiteNodeProxy(children, site, options, options.out());
    }

    /**
     * How both sites get their lists without some PBXs: a configuration version pushed into the Galera cluster for
     * the site nodes, each Kamailio's list file rewritten and reloaded for the anchor.
     */
    private Consumer<Set<String>> destinations() {
        if (options.anchor()) {
            return out -> kamailios.forEach(k -> k.reloadList(out));
        }
        GaleraConfigPush push = new GaleraConfigPush(options);
        return out -> push.push(out, out.isEmpty() ? "every PBX" : "without " + out);
    }

    private static void log(String what) {
        System.out.printf("%tT.%<tL drill: %s%n", System.currentTimeMillis(), what);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
