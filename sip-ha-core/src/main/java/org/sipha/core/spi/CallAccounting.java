package org.sipha.core.spi;

/**
 * Call accounting as the forwarding engine sees it: a source of per-loop {@link CallAccountingSink}s. The engine
 * records nothing unless one is configured.
 *
 * <p>Threading: {@link #sinkForLoop} is called once per event loop while the engine is being built, from any
 * thread; each call returns a new sink that only that loop then uses.
 */
@FunctionalInterface
public interface CallAccounting {
    /** A new sink for the exclusive use of event loop {@code loopIndex}. */
    CallAccountingSink sinkForLoop(int loopIndex);
}
