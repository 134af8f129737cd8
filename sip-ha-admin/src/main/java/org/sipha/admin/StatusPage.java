package org.sipha.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The status page: one self-contained HTML file (inline CSS and script, no external assets), read once. */
final class StatusPage {
    private static final String RESOURCE = "status.html";

    private StatusPage() {}

    static byte[] html() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the sip-ha-admin jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
