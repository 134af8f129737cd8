package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill's MariaDB Galera cluster: {@code galeraNodesPerSite} nodes in each site namespace (on the site's
 * Galera addresses, standard ports) and {@code garbd} in the far namespace, so a site cut off from the far
 * namespace holds a minority of the votes. Joiners are pre-seeded with a copy of the first node's data (IST, no
 * SST). Data under a temporary folder in /tmp owned by {@code mysql}. The drill's thread.
 */
final class GaleraCluster {
    static final String USER = "sipha";
    static final String PASSWORD = "drill-galera-password";
    private static final String EVS = "evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.keepalive_period=PT0.5S;"
            + "evs.inactive_check_period=PT0.5S;evs.install_timeout=PT4S";

    private final ChildProcesses children;
    private final DrillOptions options;
    private final List<Node> nodes = new ArrayList<>();
    private Path base;
    /** Removes the data folder if the JVM exits first (its processes are being killed by then). */
    private final Thread hook = new Thread(
            () -> {
                Drill.sleep(2_000);
                removeData();
            },
            "drill-galera-data");

    /** One node: its site, address, folder. */
    record Node(Topology.Site site, String ip, Path dir) {
        Path cnf() {
            return dir.resolve("my.cnf");
        }
    }

    GaleraCluster(ChildProcesses children, DrillOptions options) {
        this.children = children;
        this.options = options;
    }

    void start() throws IOException {
        base = Files.createTempDirectory(Path.of("/tmp"), "sipha-drill-galera-");
        Runtime.getRuntime().addShutdownHook(hook);
        for (int i = 0; i < options.galeraNodesPerSite(); i++) {
            for (Topology.Site s : Topology.SITES) {
                nodes.add(new Node(s, s.galeraIps().get(i), base.resolve("n" + s.name() + i)));
            }
        }
        StringBuilder gcomm = new StringBuilder("gcomm://");
        for (Node n : nodes) {
            gcomm.append(n.ip()).append(":4567,");
        }
        gcomm.append(Topology.GARBD_IP).append(":4567");
        for (Node n : nodes) {
            Files.createDirectories(n.dir().resolve("data"));
            Files.writeString(n.cnf(), cnf(n, gcomm.toString()));
        }
        Files.createDirectories(base.resolve("garbd"));
        Files.writeString(options.galeraPasswordFile(), PASSWORD);
        Files.setPosixFilePermissions(
                options.galeraPasswordFile(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Shell.run("chown", "-R", "mysql:mysql", base.toString());
        Node first = nodes.get(0);
        Shell.run(
                "mariadb-install-db",
                "--defaults-file=" + first.cnf(),
                "--skip-test-db",
                "--auth-root-authentication-method=socket",
                "--user=mysql");
        Process p = startNode(first, true);
        awaitSql(first, 60_000);
        sql(
                first,
                "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; GRANT ALL ON *.* TO '" + USER
                        + "'@'%'; CREATE DATABASE sipha");
        children.stop(p, 30_000);
        for (Node n : nodes.subList(1, nodes.size())) {
            Shell.run(
                    "cp",
                    "-a",
                    first.dir().resolve("data").toString() + "/.",
                    n.dir().resolve("data").toString());
            Path grastate = n.dir().resolve("data").resolve("grastate.dat");
            Files.writeString(
                    grastate, Files.readString(grastate).replace("safe_to_bootstrap: 1", "safe_to_bootstrap: 0"));
        }
        startNode(first, true);
        awaitSql(first, 60_000);
        for (Node n : nodes.subList(1, nodes.size())) {
            startNode(n, false);
        }
        children.start(
                Topology.FAR,
                base.resolve("garbd").resolve("stdout.log"),
                List.of(
                        "/usr/bin/garbd",
                        "--name",
                        "garb",
                        "--group",
                        "sipha_drill",
                        "--address",
                        gcomm.toString(),
                        "--options",
                        "gmcast.listen_addr=tcp://" + Topology.GARBD_IP + ":4567;" + EVS,
                        "--log",
                        base.resolve("garbd").resolve("garbd.log").toString(),
                        "--workdir",
                        base.resolve("garbd").toString()));
        if (!awaitSynced(90_000)) {
            throw new IllegalStateException("the Galera cluster did not come up; see " + base);
        }
    }

    /** Whether every node reports Primary, Synced, ready, with every member (nodes + garbd) in its view. */
    boolean awaitSynced(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        String want = "Primary\tSynced\tON\t" + (nodes.size() + 1);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Node n : nodes) {
                all &= status(n).equals(want);
            }
            if (all) {
                return true;
            }
            Drill.sleep(500);
        }
        return false;
    }

    String status(Node n) {
        return Shell.tryRun(
                        "mariadb",
                        "--defaults-file=" + n.cnf(),
                        "-N",
                        "-e",
                        "SELECT MAX(IF(VARIABLE_NAME='WSREP_CLUSTER_STATUS',VARIABLE_VALUE,NULL)),"
                                + " MAX(IF(VARIABLE_NAME='WSREP_LOCAL_STATE_COMMENT',VARIABLE_VALUE,NULL)),"
                                + " MAX(IF(VARIABLE_NAME='WSREP_READY',VARIABLE_VALUE,NULL)),"
                                + " MAX(IF(VARIABLE_NAME='WSREP_CLUSTER_SIZE',VARIABLE_VALUE,NULL))"
                                + " FROM information_schema.GLOBAL_STATUS")
                .output()
                .trim();
    }

    /** Runs {@code sql} on the first node that is Primary and returns its tab-separated rows. */
    String query(String sql) {
        for (Node n : nodes) {
            if (status(n).startsWith("Primary\tSynced")) {
                return Shell.run("mariadb", "--defaults-file=" + n.cnf(), "-N", "-B", "-e", sql);
            }
        }
        throw new IllegalStateException("no Galera node is Primary and Synced");
    }

    /** Removes the data folder (the processes are ended by pid with the drill's other children). */
    void deleteData() {
        removeData();
        if (base != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private void removeData() {
        if (base != null) {
            Shell.tryRun("rm", "-rf", base.toString());
        }
    }

    private Process startNode(Node n, boolean bootstrap) {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/mariadbd", "--defaults-file=" + n.cnf()));
        if (bootstrap) {
            cmd.add("--wsrep-new-cluster");
        }
        return children.start(n.site().ns(), n.dir().resolve("stdout.log"), cmd);
    }

    private void awaitSql(Node n, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (Shell.tryRun("mariadb", "--defaults-file=" + n.cnf(), "-N", "-e", "SELECT 1")
                            .exitCode()
                    == 0) {
                return;
            }
            Drill.sleep(300);
        }
        throw new IllegalStateException("Galera node " + n.ip() + " did not answer SQL; see " + n.dir());
    }

    private static void sql(Node n, String statements) {
        Shell.run("mariadb", "--defaults-file=" + n.cnf(), "-e", statements);
    }

    private static String cnf(Node n, String gcomm) {
        Path d = n.dir();
        return "[mysqld]\nuser=mysql\ndatadir=" + d.resolve("data") + "\nsocket=" + d.resolve("mysqld.sock")
                + "\npid-file=" + d.resolve("mysqld.pid") + "\nlog-error=" + d.resolve("error.log")
                + "\nport=3306\nbind-address=" + n.ip()
                + "\nskip-name-resolve\nperformance_schema=OFF\nmax_connections=80\n"
                + "binlog_format=ROW\ndefault_storage_engine=InnoDB\ninnodb_autoinc_lock_mode=2\n"
                + "innodb_buffer_pool_size=32M\ninnodb_log_file_size=16M\ninnodb_log_buffer_size=4M\n"
                + "innodb_flush_log_at_trx_commit=2\nkey_buffer_size=1M\naria_pagecache_buffer_size=4M\n"
                + "wsrep_on=ON\nwsrep_provider=/usr/lib/galera/libgalera_smm.so\nwsrep_cluster_name=sipha_drill\n"
                + "wsrep_cluster_address=" + gcomm + "\nwsrep_node_name=n" + n.ip().replace('.', '_')
                + "\nwsrep_node_address=" + n.ip() + ":4567\nwsrep_node_incoming_address=" + n.ip() + ":3306\n"
                + "wsrep_sst_method=rsync\nwsrep_sst_receive_address=" + n.ip() + ":4444\nwsrep_slave_threads=1\n"
                + "wsrep_provider_options=\"gmcast.listen_addr=tcp://" + n.ip() + ":4567;ist.recv_addr=" + n.ip()
                + ":4568;gcache.size=16M;gcache.page_size=16M;" + EVS + "\"\n"
                + "\n[client]\nsocket=" + d.resolve("mysqld.sock") + "\n";
    }
}
