package org.sipha.galera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalConfigCopyTest {
    @TempDir
    Path dir;

    static ConfigVersion version(long n, String list) {
        return new ConfigVersion(
                n,
                Instant.parse("2026-11-24T10:15:30.123Z"),
                "operator@site-a",
                "weights for the night, ünïcode",
                n > 1 ? n - 1 : 0,
                ConfigDiffTest.content(list, "a passphrase of at least thirty-two bytes, one", null));
    }

    @Test
    void aWrittenVersionReadsBackWholeFromAFileOnlyItsOwnerMayRead() throws IOException {
        LocalConfigCopy copy = new LocalConfigCopy(dir.resolve("sub/config.copy"));
        assertTrue(copy.read().isEmpty(), "no copy yet");
        ConfigVersion v = version(3, "1 sip:10.0.0.11:5060 0 10 duid=a;weight=5 # with a comment\n2 sip:[::1]:5070\n");

        copy.write(v);
        copy.write(version(4, "1 sip:10.0.0.12:5060\n"));
        copy.write(v);

        assertEquals(v, copy.read().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.file())));
        assertTrue(Files.readString(copy.file()).indexOf("thirty-two") < 0, "the secret is not in plain text");
        try (var files = Files.list(copy.file().getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void aDamagedCopyIsRefusedWhole() throws IOException {
        LocalConfigCopy copy = new LocalConfigCopy(dir.resolve("config.copy"));
        copy.write(version(3, "1 sip:10.0.0.11:5060\n"));
        byte[] b = Files.readAllBytes(copy.file());
        String text = new String(b, StandardCharsets.UTF_8).replace("version 3", "version 9");
        Files.writeString(copy.file(), text);
        IOException e = assertThrows(IOException.class, copy::read);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        Files.writeString(copy.file(), "something else\n");
        assertThrows(IOException.class, copy::read);
    }
}
