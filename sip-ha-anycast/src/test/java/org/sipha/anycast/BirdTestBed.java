package org.sipha.anycast;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the BIRD integration tests share: a BIRD router peer and a BIRD announcer on loopback, the router's table
 * for the prefix, a stand-in SIP proxy answering OPTIONS, and the child JVMs a test starts. {@link #close()} ends
 * the children (and their descendants) first, then the rest in reverse order, each by its own handle.
 */
final class BirdTestBed implements AutoCloseable {
    final BirdDaemon router;
    final BirdDaemon announcer;
    final RouterTable table;
    final SipOptionsResponder proxy;
    final List<Process> children = new ArrayList<>();

    private BirdTestBed(BirdDaemon router, BirdDaemon announcer, RouterTable table, SipOptionsResponder proxy) {
        this.router = router;
        this.announcer = announcer;
        this.table = table;
        this.proxy = proxy;
    }

    /** Starts both daemons (named {@code routerName}, {@code announcerName} in {@code dir}) and the responder. */
    static BirdTestBed start(
            Path dir,
            String routerName,
            String routerConf,
            String announcerName,
            String announcerConf,
            String prefix,
            InetSocketAddress sip)
            throws Exception {
        BirdDaemon.requireBird();
        BirdDaemon router = new BirdDaemon(dir, routerName, routerConf).start();
        BirdDaemon announcer = null;
        RouterTable table = null;
        try {
            announcer = new BirdDaemon(dir, announcerName, announcerConf).start();
            table = new RouterTable(router.controlSocket, prefix, "ann");
            SipOptionsResponder proxy = new SipOptionsResponder(sip);
            proxy.start();
            return new BirdTestBed(router, announcer, table, proxy);
        } catch (Exception | Error e) {
            if (table != null) {
                table.close();
            }
            if (announcer != null) {
                announcer.close();
            }
            router.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        table.close();
        proxy.close();
        announcer.close();
        router.close();
        ProcessRegistry.killAll();
    }
}
