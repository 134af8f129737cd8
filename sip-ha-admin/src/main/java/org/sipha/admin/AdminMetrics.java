package org.sipha.admin;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Prometheus registry {@code GET /metrics} serves: the JVM's binders (memory, GC, threads, class loading,
 * CPU, uptime, file descriptors) plus whatever the node binds, and the hooks to run before each scrape (binders
 * whose meters follow reloads refresh there). The modules' binders read their counters when scraped; nothing is
 * recorded through the registry on the message path. {@link #bind} and {@link #beforeScrape} while wiring;
 * {@link #scrape} from any thread.
 */
public final class AdminMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    /** A registry with the JVM's binders bound. */
    public AdminMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry, e.g. for a module's {@code setPoolMetricRegistry}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Binds {@code binder} to the registry. */
    public AdminMetrics bind(MeterBinder binder) {
        binder.bindTo(registry);
        return this;
    }

    /** Runs {@code hook} before every scrape, e.g. a binder's {@code refresh}. */
    public AdminMetrics beforeScrape(Runnable hook) {
        beforeScrape.add(hook);
        return this;
    }

    /** The Prometheus text exposition of every meter (format 0.0.4), after the scrape hooks ran. Any thread. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
