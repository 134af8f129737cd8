package org.sipha.dispatcher.engine;

/** Why the engine moved a call setup to another destination, each counted per event loop. Any thread. */
public enum Failover {
    /** The destination sent no response within the failover timer. */
    TIMEOUT("timeout"),
    /** The destination answered with a failover code (503 by default). */
    CODE("code"),
    /** Health checking ejected the destination while the INVITE waited for any response. */
    EJECTION("ejection"),
    /** Health checking found the destination down while the call was ringing. */
    RINGING("ringing");

    private final String label;

    Failover(String label) {
        this.label = label;
    }

    /** The name used in metrics, e.g. {@code timeout}. */
    public String label() {
        return label;
    }
}
