package org.sipha.galera;

import java.nio.file.Path;

/**
 * A separate writer JVM for {@link CdrDurabilityTest}: writes CDRs {@code 0..total-1} through a real client and
 * {@link DurableCdrWriter}, printing {@code ACK n} after each durable batch, until the test SIGKILLs it.
 * Arguments: spool path, CDR prefix, total, batch size.
 */
public final class CdrWriterChild {
    private CdrWriterChild() {}

    public static void main(String[] args) throws Exception {
        Path spoolPath = Path.of(args[0]);
        String prefix = args[1];
        int total = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        try (GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                CdrSpool spool = CdrSpool.open(spoolPath, 64L << 20);
                DurableCdrWriter writer = new DurableCdrWriter(client.dataSource(), client, spool, 500, 200)) {
            for (int i = 0; i < total; i += batch) {
                DurableCdrWriter.Outcome o = writer.writeAll(CdrFixtures.range(prefix, i, Math.min(total, i + batch)));
                System.out.println("ACK " + Math.min(total, i + batch) + " " + o);
                System.out.flush();
            }
            System.out.println("DONE");
            System.out.flush();
            Thread.sleep(60_000); // the test kills us; never exit on our own before that
        }
    }
}
