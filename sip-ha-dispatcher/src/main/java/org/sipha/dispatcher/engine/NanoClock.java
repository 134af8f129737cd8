package org.sipha.dispatcher.engine;

/**
 * The engine's monotonic time source in nanoseconds: {@link #SYSTEM} in production, a clock moved by hand in tests
 * of the timers (set with {@link ProxyConfig.Builder#clock}). Every event loop calls it, so an implementation must
 * be safe to call from any thread.
 */
@FunctionalInterface
public interface NanoClock {
    /** {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin: only differences between two readings mean anything. */
    long nanoTime();
}
