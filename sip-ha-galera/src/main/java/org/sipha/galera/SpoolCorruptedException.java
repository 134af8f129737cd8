package org.sipha.galera;

import java.io.IOException;

/** The spool file is not a CDR spool (bad magic or version); it is left untouched. */
public final class SpoolCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolCorruptedException(String message) {
        super(message);
    }
}
