package org.sipha.examples.proxy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * A secret option's value and where it came from: the option, YAML key or environment variable, which messages
 * name. {@link #toString()} never shows the value. Immutable; read on the main thread at start.
 *
 * @param text   the secret
 * @param source the option, YAML key or environment variable that gave it
 * @param origin which layer of the configuration gave it
 */
record Secret(String text, String source, Origin origin) {
    /** The layers of the configuration, each overriding the one before. */
    enum Origin {
        /** The option table's defaults (never a secret). */
        DEFAULT,
        YAML,
        ENVIRONMENT,
        COMMAND_LINE
    }

    /**
     * Reads a secret from {@code file}: its whole text in UTF-8 without trailing line breaks (an editor's final
     * newline is not part of the secret). A file its group or others may read is used, with a warning added to
     * {@code warnings}.
     *
     * @throws IllegalArgumentException naming {@code option} if the file cannot be read
     */
    static Secret fromFile(Path file, String option, Origin origin, List<String> warnings) {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(option + ": " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e, e);
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        warnIfOthersMayRead(file, option, warnings);
        return new Secret(text.substring(0, end), option, origin);
    }

    private static void warnIfOthersMayRead(Path file, String option, List<String> warnings) {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        }
        if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
            warnings.add(option + ": " + file + " may be read by its group or others ("
                    + PosixFilePermissions.toString(p) + "); make it readable by the proxy's user only (chmod 600)");
        }
    }

    /** The secret's length in UTF-8 bytes, the measure of a passphrase. */
    int bytes() {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return "secret from " + source;
    }
}
