package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GaleraClusterExtension.class)
class GaleraTestClusterTest {

    @Test
    void startsThreeSyncedNodesPlusArbitrator(GaleraTestCluster cluster) {
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            Map<String, String> s = cluster.statusOrNull(n);
            assertEquals("Primary", s.get("WSREP_CLUSTER_STATUS"), "n" + n);
            assertEquals("Synced", s.get("WSREP_LOCAL_STATE_COMMENT"), "n" + n);
            assertEquals("4", s.get("WSREP_CLUSTER_SIZE"), "n" + n);
        }
    }
}
