package org.sipha.benchmarks.drill;

/**
 * When one fault happened, epoch milliseconds: injected, recovered (the repair began), and the end of its window
 * (the next fault's injection or the end of the load).
 */
record FaultWindow(Fault fault, double injectMs, double recoverMs, double endMs) {}
