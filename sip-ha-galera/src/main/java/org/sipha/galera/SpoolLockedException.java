package org.sipha.galera;

import java.io.IOException;
import java.nio.file.Path;

/** The spool file is held by another writer (a {@link CdrSpool} in this JVM or another process); it was not
 *  read or changed. */
public final class SpoolLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    SpoolLockedException(Path spool, String holder) {
        super("CDR spool " + spool + " is locked " + holder + "; a spool file has one writer");
    }
}
