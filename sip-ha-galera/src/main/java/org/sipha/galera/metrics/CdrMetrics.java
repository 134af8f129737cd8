package org.sipha.galera.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.sipha.galera.DurableCdrWriter;

/**
 * A durable CDR writer's numbers as meters, read at scrape time: {@code sipha_cdr_spool_pending} (records in the
 * spool, waiting for the database), {@code sipha_cdr_inserted_total}, {@code sipha_cdr_spooled_total},
 * {@code sipha_cdr_replayed_total} and {@code sipha_cdr_rejected_total}. Bind once; any thread may scrape.
 */
public final class CdrMetrics implements MeterBinder {
    private final DurableCdrWriter writer;

    public CdrMetrics(DurableCdrWriter writer) {
        this.writer = writer;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("sipha.cdr.spool.pending", writer, DurableCdrWriter::pending)
                .description("CDRs in the spool, waiting to be replayed into the database")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("sipha.cdr.inserted", writer, DurableCdrWriter::inserted)
                .description("CDRs inserted into the database directly")
                .register(registry);
        FunctionCounter.builder("sipha.cdr.spooled", writer, DurableCdrWriter::spooled)
                .description("CDRs appended to the spool")
                .register(registry);
        FunctionCounter.builder("sipha.cdr.replayed", writer, DurableCdrWriter::replayed)
                .description("CDRs replayed from the spool into the database")
                .register(registry);
        FunctionCounter.builder("sipha.cdr.rejected", writer, DurableCdrWriter::rejected)
                .description("CDRs the database refused as data, moved to the quarantine file")
                .register(registry);
    }
}
