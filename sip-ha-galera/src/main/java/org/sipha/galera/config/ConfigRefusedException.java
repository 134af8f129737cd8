package org.sipha.galera.config;

/** A configuration version a proxy cannot apply; the message says why (e.g. the line with an invalid URI). */
public final class ConfigRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigRefusedException(String message) {
        super(message);
    }

    public ConfigRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
