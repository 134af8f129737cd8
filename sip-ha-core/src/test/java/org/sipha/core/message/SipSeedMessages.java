package org.sipha.core.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The stored SIP messages fuzz targets start from: {@code corpus/*.sip} and RFC 4475's {@code rfc4475/*.dat}
 * on the test class path, read in name order. A fuzz target turns each into its own input layout in a
 * {@code @MethodSource} placed before {@code @FuzzTest}: Jazzer runs those inputs in regression mode and, when
 * fuzzing, adds them to libFuzzer's corpus.
 */
final class SipSeedMessages {
    private static final String[] FOLDERS = {"corpus", "rfc4475"};

    private SipSeedMessages() {}

    /** Each message, named by its resource path (e.g. {@code rfc4475/wsinv.dat}). */
    static Stream<Named<byte[]>> all() {
        List<Named<byte[]>> out = new ArrayList<>();
        for (String folder : FOLDERS) {
            try (Stream<Path> files = Files.list(folder(folder))) {
                for (Path p : files.filter(SipSeedMessages::isMessage).sorted().toList()) {
                    out.add(Named.of(folder + "/" + p.getFileName(), Files.readAllBytes(p)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.stream();
    }

    private static boolean isMessage(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".sip") || n.endsWith(".dat");
    }

    private static Path folder(String name) {
        URL url = SipSeedMessages.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource folder " + name + " missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
