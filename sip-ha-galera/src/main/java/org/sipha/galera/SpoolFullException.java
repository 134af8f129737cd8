package org.sipha.galera;

import java.io.IOException;

/** The CDR spool reached its configured size limit; the CDR was not stored. */
public final class SpoolFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolFullException(long limitBytes, long neededBytes) {
        super("CDR spool full: limit " + limitBytes + " bytes, " + neededBytes + " needed");
    }
}
