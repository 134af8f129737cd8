package org.sipha.dispatcher.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The stored SIP messages this module's fuzz targets start from: sip-ha-core's {@code corpus/*.sip}, which the
 * build copies onto this module's test class path, read in name order.
 */
final class SeedMessages {
    private SeedMessages() {}

    /** Each message, named by its resource path (e.g. {@code corpus/cancel-basic.sip}). */
    static Stream<Named<byte[]>> corpus() {
        URL url = SeedMessages.class.getResource("/corpus");
        if (url == null) {
            throw new IllegalStateException("test resource folder corpus missing");
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<Path> sorted =
                    files.filter(p -> p.toString().endsWith(".sip")).sorted().toList();
            return sorted.stream().map(p -> Named.of("corpus/" + p.getFileName(), read(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
