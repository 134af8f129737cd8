package org.sipha.anycast;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every process a test starts (and their descendants seen while alive) is registered here and killed by pid in a
 * JVM shutdown hook, so an aborted test run leaves nothing behind. Test-only; public for other modules' tests
 * (test-jar). Any thread.
 */
public final class ProcessRegistry {
    private static final List<ProcessHandle> PROCESSES = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll, "test-process-reaper"));
    }

    private ProcessRegistry() {}

    public static void register(Process p) {
        PROCESSES.add(p.toHandle());
    }

    public static void register(ProcessHandle h) {
        PROCESSES.add(h);
    }

    public static void killAll() {
        for (ProcessHandle h : PROCESSES) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}
