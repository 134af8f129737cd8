package org.sipha.galera;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.sipha.testsupport.RequiredTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real 3-node MariaDB Galera cluster plus {@code garbd} on 127.0.0.1, following
 * {@code shared/notes/galera-one-host.md}: SQL ports N3306, gcomm N4567, IST N4568, SST N4444, garbd 44567;
 * rsync SST; short evs timeouts on every member (including garbd); nodes run as {@code mysql} when we are root.
 *
 * <p>Only processes started here are ever signalled, by the pid of the {@link Process} handle we hold.
 * Not thread-safe: one test thread drives it.
 */
public final class GaleraTestCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GaleraTestCluster.class);

    public static final int NODES = 3;
    public static final String USER = "test";
    public static final String PASSWORD = "test";
    public static final String EVS = "evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.keepalive_period=PT0.5S;"
            + "evs.inactive_check_period=PT0.5S;evs.install_timeout=PT4S";
    private static final String PROVIDER = "/usr/lib/galera/libgalera_smm.so";
    private static final String GCOMM = "gcomm://127.0.0.1:14567,127.0.0.1:24567,127.0.0.1:34567";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path base;
    private final Process[] nodes = new Process[NODES + 1];
    private Process garbd;
    private final Thread shutdownHook = new Thread(this::killAllNow, "galera-test-cluster-kill");

    private GaleraTestCluster(Path base) {
        this.base = base;
    }

    /** Skips the test when a tool this cluster needs is missing, fails it under {@code CI=true}. */
    public static void requireTools() {
        RequiredTool.requireExecutable(Path.of("/usr/sbin/mariadbd"), "mariadb-server");
        RequiredTool.require("mariadb-install-db", "mariadb-server");
        RequiredTool.require("mariadb", "mariadb-client");
        RequiredTool.requireExecutable(Path.of("/usr/bin/garbd"), "galera-arbitrator-4");
        RequiredTool.requireFile(Path.of(PROVIDER), "galera-4");
        RequiredTool.require("rsync", "rsync");
    }

    /** Creates the directory tree and starts n1 (bootstrap), n2, n3, then garbd; waits until all 4 are in. */
    public static GaleraTestCluster start() throws Exception {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "sipha-galera-");
        GaleraTestCluster c = new GaleraTestCluster(base);
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        long t0 = System.nanoTime();
        try {
            c.layout();
            c.installSystemTables();
            c.startNode(1, true);
            c.waitSqlViaSocket(1, 30_000);
            c.cli(
                    1,
                    "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; GRANT ALL ON *.* TO '" + USER
                            + "'@'%'; CREATE DATABASE sipha");
            c.waitSynced(1, 1, 30_000);
            LOG.info("n1 Synced at {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            c.startJoiner(2);
            LOG.info("n2 Synced at {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            c.startJoiner(3);
            LOG.info("n3 Synced at {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            c.startGarbd();
            c.waitAllSynced(60_000);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        LOG.info(
                "Galera cluster of 3 nodes + garbd up in {} ms under {}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                base);
        return c;
    }

    public static int sqlPort(int n) {
        return n * 10000 + 3306;
    }

    public static String jdbcUrl(int n) {
        return "jdbc:mariadb://127.0.0.1:" + sqlPort(n) + "/sipha";
    }

    /** A fresh direct connection to node {@code n} (test-side checks; not through the library). */
    public static Connection connect(int n, int socketTimeoutMs) throws SQLException {
        return DriverManager.getConnection(
                jdbcUrl(n) + "?connectTimeout=1000&socketTimeout=" + socketTimeoutMs, USER, PASSWORD);
    }

    /** Configured cluster members that vote: 3 nodes + garbd. */
    public static int voters() {
        return NODES + 1;
    }

    // ---------------------------------------------------------------- fault injection

    /** {@code gmcast.isolate=1} on node n: it drops all group traffic but keeps answering SQL. */
    public void isolate(int n) throws SQLException {
        setProviderOption(n, "gmcast.isolate=1");
    }

    /** Undoes {@link #isolate(int)}. */
    public void unisolate(int n) throws SQLException {
        setProviderOption(n, "gmcast.isolate=0");
    }

    /** Declares node n a new Primary Component on its own: an accidental bootstrap island. */
    public void bootstrapIsland(int n) throws SQLException {
        setProviderOption(n, "pc.bootstrap=YES");
    }

    public void sigstop(int n) throws Exception {
        signal(nodes[n], "STOP");
    }

    public void sigcont(int n) throws Exception {
        signal(nodes[n], "CONT");
    }

    public long pid(int n) {
        return nodes[n].pid();
    }

    /** SIGKILLs garbd (a network-partition-like loss: no graceful leave). */
    public void killGarbd() throws InterruptedException {
        if (garbd != null && garbd.isAlive()) {
            garbd.destroyForcibly();
            garbd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public boolean garbdAlive() {
        return garbd != null && garbd.isAlive();
    }

    public void restartGarbd() throws Exception {
        killGarbd();
        startGarbd();
    }

    /**
     * Splits the 4 voters in two halves of 2: {n1, n2} | {n3, garbd}. gmcast.isolate cannot cut single links,
     * so this isolates n3 and SIGKILLs garbd: each half then holds 2 of 4 votes, which is what decides quorum;
     * the n3/garbd half is not connected internally (n3 alone), which changes nothing in the vote arithmetic.
     */
    public void splitTwoTwo() throws Exception {
        isolate(3);
        killGarbd();
    }

    /**
     * Starts joiner n and waits until it is Synced. A join can fail on a loaded machine (SST aborted); then the
     * node is wiped and started once more before giving up.
     */
    private void startJoiner(int n) throws Exception {
        startNode(n, false);
        try {
            waitSynced(n, n, 60_000);
        } catch (IllegalStateException first) {
            LOG.warn("n{} failed to join, retrying once with a fresh data dir: {}", n, first.getMessage());
            rebuildNode(n);
            waitSynced(n, n, 60_000);
        }
    }

    /** SIGKILLs node n, wipes its data dir and starts it again as a joiner (full rsync SST). */
    public void rebuildNode(int n) throws Exception {
        Process p = nodes[n];
        if (p != null && p.isAlive()) {
            signal(p, "CONT");
        }
        if (p != null) {
            killTree(p);
        }
        // A joiner's SST script and its rsync daemon outlive a SIGKILLed mariadbd for a while and keep the SST
        // port; a new joiner started meanwhile fails its SST ("rsync daemon terminated unexpectedly", 16).
        awaitPortFree(n * 10_000 + 4444, 20_000);
        Path data = base.resolve("n" + n).resolve("data");
        deleteTree(data);
        Files.createDirectories(data);
        chownMysql(data);
        startNode(n, false);
    }

    /**
     * Brings the cluster back to 3 Synced nodes + garbd, size 4: continues stopped nodes, clears isolation,
     * restarts garbd; if a node does not come back within a bound (e.g. after a bootstrap island), rebuilds it.
     */
    public void heal() throws Exception {
        for (int n = 1; n <= NODES; n++) {
            if (nodes[n] != null && nodes[n].isAlive()) {
                signal(nodes[n], "CONT");
            }
        }
        for (int n = 1; n <= NODES; n++) {
            try {
                unisolate(n);
            } catch (SQLException e) {
                LOG.info("heal: n{} unisolate failed: {}", n, e.getMessage());
            }
        }
        if (!garbdAlive()) {
            startGarbd();
        }
        try {
            waitAllSynced(25_000);
            return;
        } catch (IllegalStateException e) {
            LOG.warn("heal: cluster not back by itself ({}); rebuilding bad nodes", e.getMessage());
        }
        boolean anyPrimary = false;
        for (int n = 1; n <= NODES; n++) {
            Map<String, String> s = statusOrNull(n);
            anyPrimary |= s != null && "Primary".equals(s.get("WSREP_CLUSTER_STATUS"));
        }
        if (!anyPrimary) {
            // no Primary Component anywhere: the documented recovery is to bootstrap it from one node
            LOG.warn("heal: no Primary Component; pc.bootstrap=YES on n1");
            bootstrapIsland(1);
            try {
                waitAllSynced(25_000);
                return;
            } catch (IllegalStateException e) {
                LOG.warn("heal: still not back ({})", e.getMessage());
            }
        }
        for (int n = 1; n <= NODES; n++) {
            Map<String, String> s = statusOrNull(n);
            if (s == null || !"Primary".equals(s.get("WSREP_CLUSTER_STATUS"))) {
                rebuildNode(n);
                waitSynced(n, 0, 60_000);
            }
        }
        waitAllSynced(60_000);
    }

    /** The wsrep status of node n as a map, or {@code null} if it cannot be read within ~1 s. */
    public Map<String, String> statusOrNull(int n) {
        try (Connection c = connect(n, 1000);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                                + " WHERE VARIABLE_NAME LIKE 'WSREP%'")) {
            Map<String, String> m = new HashMap<>();
            while (rs.next()) {
                m.put(rs.getString(1), rs.getString(2));
            }
            return m;
        } catch (SQLException e) {
            return null;
        }
    }

    /** Waits (bounded) until node n itself reports the given cluster status; returns the time it took in ns. */
    public long awaitOwnClusterStatus(int n, String status, long timeoutMs) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            Map<String, String> s = statusOrNull(n);
            if (s != null && status.equals(s.get("WSREP_CLUSTER_STATUS"))) {
                return System.nanoTime() - t0;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("n" + n + " did not report " + status + " within " + timeoutMs + " ms");
    }

    public void waitAllSynced(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last = "";
        while (System.nanoTime() < deadline) {
            StringBuilder sb = new StringBuilder();
            boolean ok = true;
            for (int n = 1; n <= NODES; n++) {
                Map<String, String> s = statusOrNull(n);
                boolean good = isSynced(s, voters());
                ok &= good;
                sb.append("n")
                        .append(n)
                        .append('=')
                        .append(s == null ? "unreachable" : summary(s))
                        .append(' ');
            }
            last = sb.toString();
            if (ok) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "cluster not Primary/Synced/size " + voters() + " within " + timeoutMs + " ms: " + last);
    }

    private void waitSynced(int n, int size, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<String, String> s = null;
        while (System.nanoTime() < deadline) {
            if (!nodes[n].isAlive()) {
                throw new IllegalStateException("n" + n + " exited with " + nodes[n].exitValue() + "; see "
                        + base.resolve("n" + n).resolve("error.log") + ":\n"
                        + tail(base.resolve("n" + n).resolve("error.log")));
            }
            s = statusOrNull(n);
            if (isSynced(s, size)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "n" + n + " not Synced within " + timeoutMs + " ms: " + (s == null ? "unreachable" : summary(s)) + "\n"
                        + tail(base.resolve("n" + n).resolve("error.log")));
    }

    private static boolean isSynced(Map<String, String> s, int size) {
        return s != null
                && "Primary".equals(s.get("WSREP_CLUSTER_STATUS"))
                && "Synced".equals(s.get("WSREP_LOCAL_STATE_COMMENT"))
                && "ON".equals(s.get("WSREP_READY"))
                && (size == 0 || String.valueOf(size).equals(s.get("WSREP_CLUSTER_SIZE")));
    }

    private static String summary(Map<String, String> s) {
        return s.get("WSREP_CLUSTER_STATUS") + "/" + s.get("WSREP_LOCAL_STATE_COMMENT") + "/" + s.get("WSREP_READY")
                + "/" + s.get("WSREP_CLUSTER_SIZE");
    }

    // ---------------------------------------------------------------- processes

    private void layout() throws IOException {
        for (int n = 1; n <= NODES; n++) {
            Path dir = base.resolve("n" + n);
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("my.cnf"), myCnf(n, dir), StandardCharsets.US_ASCII);
        }
        Files.createDirectories(base.resolve("garbd"));
        chownMysql(base);
    }

    private String myCnf(int n, Path dir) {
        String p = n + "4567";
        return "[mysqld]\n"
                + (ROOT ? "user=mysql\n" : "")
                + "datadir=" + dir.resolve("data") + "\n"
                + "socket=" + dir.resolve("mysqld.sock") + "\n"
                + "pid-file=" + dir.resolve("mysqld.pid") + "\n"
                + "log-error=" + dir.resolve("error.log") + "\n"
                + "port=" + sqlPort(n) + "\n"
                + "bind-address=127.0.0.1\nskip-name-resolve\nperformance_schema=OFF\nmax_connections=80\n"
                + "binlog_format=ROW\ndefault_storage_engine=InnoDB\ninnodb_autoinc_lock_mode=2\n"
                + "innodb_buffer_pool_size=32M\ninnodb_log_file_size=16M\ninnodb_log_buffer_size=4M\n"
                + "innodb_flush_log_at_trx_commit=2\nkey_buffer_size=1M\naria_pagecache_buffer_size=4M\n"
                + "innodb_lock_wait_timeout=5\n"
                + "wsrep_on=ON\nwsrep_provider=" + PROVIDER + "\nwsrep_cluster_name=galera_test\n"
                + "wsrep_cluster_address=" + GCOMM + "\n"
                + "wsrep_node_name=n" + n + "\n"
                + "wsrep_node_address=127.0.0.1:" + p + "\n"
                + "wsrep_node_incoming_address=127.0.0.1:" + sqlPort(n) + "\n"
                + "wsrep_sst_method=rsync\nwsrep_sst_receive_address=127.0.0.1:" + n + "4444\n"
                + "wsrep_slave_threads=1\n"
                + "wsrep_provider_options=\"gmcast.listen_addr=tcp://127.0.0.1:" + p + ";ist.recv_addr=127.0.0.1:"
                + n + "4568;gcache.size=16M;gcache.page_size=16M;" + EVS + "\"\n"
                + "\n[client]\nsocket=" + dir.resolve("mysqld.sock") + "\nport=" + sqlPort(n) + "\n";
    }

    private void installSystemTables() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                findOnPath("mariadb-install-db").toString(),
                "--defaults-file=" + cnf(1),
                "--skip-test-db",
                "--auth-root-authentication-method=socket"));
        if (ROOT) {
            cmd.add("--user=mysql");
        }
        run(cmd, 60);
    }

    private void startNode(int n, boolean bootstrap) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/mariadbd", "--defaults-file=" + cnf(n)));
        if (bootstrap) {
            cmd.add("--wsrep-new-cluster");
        }
        nodes[n] = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("n" + n + "-stdout.log").toFile())
                .start();
        LOG.info("started n{} pid {} (bootstrap={})", n, nodes[n].pid(), bootstrap);
    }

    private void startGarbd() throws IOException {
        Path dir = base.resolve("garbd");
        garbd = new ProcessBuilder(
                        "/usr/bin/garbd",
                        "--name",
                        "garb",
                        "--group",
                        "galera_test",
                        "--address",
                        GCOMM,
                        "--options",
                        "gmcast.listen_addr=tcp://127.0.0.1:44567;" + EVS,
                        "--log",
                        dir.resolve("garbd.log").toString(),
                        "--workdir",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        LOG.info("started garbd pid {}", garbd.pid());
    }

    private void waitSqlViaSocket(int n, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (!nodes[n].isAlive()) {
                throw new IllegalStateException(
                        "n" + n + " exited:\n" + tail(base.resolve("n" + n).resolve("error.log")));
            }
            Process p = new ProcessBuilder(
                            findOnPath("mariadb").toString(), "--defaults-file=" + cnf(n), "-N", "-e", "SELECT 1")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            p.destroyForcibly();
            Thread.sleep(100);
        }
        throw new IllegalStateException("n" + n + " SQL socket not up within " + timeoutMs + " ms");
    }

    private void cli(int n, String sql) throws Exception {
        run(List.of(findOnPath("mariadb").toString(), "--defaults-file=" + cnf(n), "-e", sql), 30);
    }

    private void setProviderOption(int n, String option) throws SQLException {
        try (Connection c = connect(n, 5000);
                Statement st = c.createStatement()) {
            st.execute("SET GLOBAL wsrep_provider_options='" + option + "'");
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        if (p == null || !p.isAlive()) {
            return;
        }
        run(List.of("kill", "-" + sig, Long.toString(p.pid())), 10);
    }

    private static void run(List<String> cmd, int timeoutSecs) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSecs, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    cmd + " exited " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8));
        }
    }

    private Path cnf(int n) {
        return base.resolve("n" + n).resolve("my.cnf");
    }

    private static void chownMysql(Path p) throws IOException {
        if (!ROOT) {
            return;
        }
        try {
            run(List.of("chown", "-R", "mysql:mysql", p.toString()), 30);
        } catch (Exception e) {
            throw new IOException("chown mysql failed for " + p, e);
        }
    }

    private static Path findOnPath(String exe) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return Path.of(dir, exe);
            }
        }
        return null;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            List<String> errors = lines.stream()
                    .filter(l -> l.contains("[ERROR]") || l.contains("WSREP_SST"))
                    .limit(30)
                    .toList();
            return "ERROR lines:\n" + String.join("\n", errors) + "\nlast lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no " + log + ")";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    private void killAllNow() {
        List<Process> all = new ArrayList<>();
        if (garbd != null) {
            all.add(garbd);
        }
        for (int n = 1; n <= NODES; n++) {
            if (nodes[n] != null) {
                all.add(nodes[n]);
            }
        }
        for (Process p : all) {
            if (p.isAlive()) {
                try {
                    signal(p, "CONT");
                } catch (Exception ignored) {
                    // best effort: a stopped process would ignore SIGTERM until continued; SIGKILL below anyway
                }
                p.destroy();
            }
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(8, TimeUnit.SECONDS)) {
                    killTree(p);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** SIGKILLs {@code p} and every process it started (its SST script, rsync daemon), waiting boundedly for each. */
    private static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            try {
                c.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("child pid {} of pid {} still alive after SIGKILL", c.pid(), p.pid());
            }
        }
    }

    /** Waits (bounded) until nothing listens on 127.0.0.1:{@code port}, by trying to bind it ourselves. */
    private static void awaitPortFree(int port, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException busy) {
                Thread.sleep(100);
            }
        }
        LOG.warn("port {} still busy after {} ms", port, timeoutMs);
    }

    /** Stops every process this cluster started (SIGTERM, then SIGKILL after 8 s) and deletes the tree. */
    @Override
    public void close() {
        killAllNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        try {
            deleteTree(base);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", base, e.toString());
        }
    }

    public Path baseDir() {
        return base;
    }
}
