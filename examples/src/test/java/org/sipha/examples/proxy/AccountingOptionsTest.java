package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --accounting} and its options, from the command line and the YAML file. */
class AccountingOptionsTest {
    @TempDir
    Path dir;

    @Test
    void offUnlessAskedFor() {
        ProxyOptions o = ProxyOptions.parse(new String[] {"--backend", "sip:127.0.0.1:5081"});
        assertFalse(o.accounting.enabled());
        assertNull(AccountingWiring.prepare(o));
    }

    @Test
    void theSwitchAndItsValuesFromTheCommandLine() {
        ProxyOptions o = ProxyOptions.parse(new String[] {
            "--accounting",
            "--galera-node",
            "127.0.0.1:3306",
            "--accounting-spool",
            "/var/lib/sip-ha/acc.spool",
            "--accounting-queue",
            "4096",
            "--accounting-batch",
            "200",
            "--backend",
            "sip:127.0.0.1:5081"
        });
        assertTrue(o.accounting.enabled());
        AccountingOptions.Settings s = o.accounting.resolve(o.galeraNodes.size());
        assertEquals(Path.of("/var/lib/sip-ha/acc.spool"), s.spool());
        assertEquals(4096, s.queue());
        assertEquals(200, s.batch());
        assertEquals(1L << 30, s.spoolMaxBytes());
        assertEquals(0, AccountingWiring.prepare(o).rings().rings().size(), "no ring before a loop asks");
    }

    @Test
    void fromTheYamlFile() throws Exception {
        Path yaml = dir.resolve("proxy.yaml");
        Files.writeString(
                yaml,
                "accounting: true\naccounting-spool: acc.spool\naccounting-spool-max-bytes: 2097152\n"
                        + "galera-node: [\"127.0.0.1:3306\"]\n");
        ProxyOptions o = ProxyOptions.parse(new String[] {"--config", yaml.toString()});
        assertTrue(o.accounting.enabled());
        assertEquals(2_097_152L, o.accounting.resolve(1).spoolMaxBytes());
    }

    @Test
    void refusesAccountingWithoutGaleraAndValuesOutOfRange() {
        ProxyOptions o = ProxyOptions.parse(new String[] {"--accounting"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountingWiring.prepare(o));
        assertTrue(e.getMessage().startsWith("--accounting: "), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ProxyOptions.parse(new String[] {"--accounting-queue", "2"}));
        assertTrue(e.getMessage().startsWith("--accounting-queue: "), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ProxyOptions.parse(new String[] {"--accounting-batch", "x"}));
        assertTrue(e.getMessage().startsWith("--accounting-batch: "), e.getMessage());
    }
}
