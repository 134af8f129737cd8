package org.sipha.galera;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate JVM for {@link CdrSpoolFilesTest}. Arguments: mode, spool path.
 * <ul>
 *   <li>{@code hold}: opens the spool, prints {@code OPEN}, and keeps it open until killed (at most 60 s);</li>
 *   <li>{@code try}: tries to open the spool and prints {@code OPEN} or {@code REFUSED <message>};</li>
 *   <li>{@code fill}: appends CDRs in batches of 7, printing {@code ACK <size>} after each, until an append
 *       fails; then prints {@code FAILED <size> <exception>} (run it under a file size limit).</li>
 * </ul>
 */
public final class CdrSpoolChild {
    private CdrSpoolChild() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        switch (args[0]) {
            case "hold" -> {
                try (CdrSpool spool = CdrSpool.open(file, 1 << 20)) {
                    say("OPEN");
                    Thread.sleep(60_000);
                }
            }
            case "try" -> {
                try (CdrSpool spool = CdrSpool.open(file, 1 << 20)) {
                    say("OPEN");
                } catch (IOException e) {
                    say("REFUSED " + e.getMessage());
                }
            }
            case "fill" -> {
                try (CdrSpool spool = CdrSpool.open(file, 64L << 20)) {
                    for (int i = 0; i < 100_000; i += 7) {
                        List<Cdr> batch = CdrSpoolTest.cdrs(i, i + 7);
                        try {
                            spool.append(batch);
                        } catch (IOException e) {
                            say("FAILED " + spool.sizeBytes() + " " + e);
                            return;
                        }
                        say("ACK " + spool.sizeBytes());
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
