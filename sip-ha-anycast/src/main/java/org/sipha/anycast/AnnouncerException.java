package org.sipha.anycast;

/**
 * A routing daemon refused a command, answered something we could not parse, or could not be reached.
 * The message names the daemon, the command and what went wrong.
 */
public class AnnouncerException extends Exception {
    public AnnouncerException(String message) {
        super(message);
    }

    public AnnouncerException(String message, Throwable cause) {
        super(message, cause);
    }
}
