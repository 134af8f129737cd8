/**
 * Call accounting from the event loops to a writer thread, without locks or allocation on the loops.
 *
 * <pre>
 *   event loop k ──record()──→ CallEventRing k (SPSC, preallocated CallEvent slots) ──drain()──┐
 *   event loop m ──record()──→ CallEventRing m ─────────────────────────────────────drain()──┴→ one writer thread
 * </pre>
 * {@link org.sipha.core.accounting.CallEventRings} is the engine's {@link org.sipha.core.spi.CallAccounting}: each
 * loop gets a ring of its own, so every ring has exactly one producer and the writer is its one consumer. A full
 * ring drops the event and counts it; nothing on a loop ever waits for the writer. The writer (for example
 * {@code sip-ha-galera}'s {@code CallAccountingWriter}) turns each {@link org.sipha.core.accounting.CallEvent}
 * into whatever record it stores. Delivery from a ring is at least once (a handler that throws sees the same
 * events again), so stored records should be keyed by their content. Rings made by
 * {@link org.sipha.core.accounting.CallEventRings#inFiles} also keep their slots in files
 * ({@link org.sipha.core.accounting.CallEventRingFile}) and free them only when the writer says they are durable
 * ({@code read}, then {@code release}), so a process that dies leaves its unwritten events for the next one.
 */
package org.sipha.core.accounting;
