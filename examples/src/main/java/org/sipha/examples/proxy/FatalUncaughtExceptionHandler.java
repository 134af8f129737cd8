package org.sipha.examples.proxy;

import java.util.Set;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference proxy's handler of exceptions no thread caught: logs the thread and the exception at ERROR and, for
 * an {@link Error} (OutOfMemoryError, StackOverflowError ...) in any thread or the death of a thread the proxy
 * cannot run without (health checking, the routing table's writer, the Galera client), ends the process with
 * {@link #EXIT_INTERNAL_FAULT} so that its supervisor restarts it. A process in that state cannot be trusted to
 * drain, so it does not try. Called on the dying thread.
 */
final class FatalUncaughtExceptionHandler implements Thread.UncaughtExceptionHandler {
    /** The exit status of a process ended by an internal fault (sysexits' EX_SOFTWARE). */
    static final int EXIT_INTERNAL_FAULT = 70;

    private static final Logger LOG = LoggerFactory.getLogger(FatalUncaughtExceptionHandler.class);

    private final Set<String> criticalNames;
    private final Set<String> criticalPrefixes;
    private final IntConsumer exit;

    /**
     * @param criticalNames    names of threads whose death ends the process
     * @param criticalPrefixes name prefixes of such threads (of thread pools: {@code galera-})
     * @param exit             ends the process with the status given, e.g. {@code Runtime.getRuntime()::halt}
     */
    FatalUncaughtExceptionHandler(Set<String> criticalNames, Set<String> criticalPrefixes, IntConsumer exit) {
        this.criticalNames = Set.copyOf(criticalNames);
        this.criticalPrefixes = Set.copyOf(criticalPrefixes);
        this.exit = exit;
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        boolean fatal = e instanceof Error || isCritical(t.getName());
        try {
            LOG.error(
                    "thread {} died of an uncaught {}{}",
                    t.getName(),
                    e.getClass().getName(),
                    fatal
                            ? "; exiting with status " + EXIT_INTERNAL_FAULT
                                    + " for the supervisor to restart the proxy"
                            : "",
                    e);
        } finally {
            if (fatal) {
                System.err.flush();
                exit.accept(EXIT_INTERNAL_FAULT);
            }
        }
    }

    private boolean isCritical(String name) {
        if (criticalNames.contains(name)) {
            return true;
        }
        for (String p : criticalPrefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
