package org.sipha.galera;

import java.io.IOException;
import java.nio.file.Path;

/** The CDR spool reached its size bound or its disk is full; the CDRs were not stored and the file is as it was. */
public final class SpoolFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolFullException(long limitBytes, long neededBytes) {
        super("CDR spool full: limit " + limitBytes + " bytes, " + neededBytes + " needed");
    }

    private SpoolFullException(String message, Throwable cause) {
        super(message, cause);
    }

    static SpoolFullException atBound(Path spool, long limitBytes, long neededBytes) {
        return new SpoolFullException(
                "CDR spool " + spool + " full: bound " + limitBytes + " bytes, the append " + "needs " + neededBytes
                        + "; nothing was written",
                null);
    }

    static SpoolFullException diskFull(Path spool, long freeBytes, long neededBytes, IOException cause) {
        return new SpoolFullException(
                "CDR spool " + spool + ": disk full, " + freeBytes + " bytes free, the append " + "needs " + neededBytes
                        + "; nothing was written",
                cause);
    }
}
