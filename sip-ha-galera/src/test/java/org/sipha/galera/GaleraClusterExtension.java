package org.sipha.galera;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real {@link GaleraTestCluster}. The cluster is started once per test JVM
 * (stored in the root context store, closed when the whole run ends) because starting it is the expensive
 * part (~13 s); before each test it is healed back to 3 Synced nodes + garbd, so a test that injected a fault
 * does not leak it into the next one.
 *
 * <p>Missing tools: with {@code CI=true} the tests fail naming the tool and its package; otherwise they are
 * skipped ({@link GaleraTestCluster#requireTools()}).
 */
public final class GaleraClusterExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(GaleraClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        GaleraTestCluster.requireTools();
        cluster(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        cluster(context).heal();
    }

    private static GaleraTestCluster cluster(ExtensionContext context) {
        Holder h = context.getRoot().getStore(NS).getOrComputeIfAbsent(Holder.class, k -> new Holder(), Holder.class);
        return h.get();
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == GaleraTestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) throws ParameterResolutionException {
        return cluster(ec);
    }

    /** Starts the cluster lazily; closed by JUnit at the end of the run. */
    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        private GaleraTestCluster cluster;
        private Exception failure;

        synchronized GaleraTestCluster get() {
            if (cluster == null && failure == null) {
                try {
                    cluster = GaleraTestCluster.start();
                } catch (Exception e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new IllegalStateException("Galera test cluster failed to start", failure);
            }
            return cluster;
        }

        @Override
        public synchronized void close() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
