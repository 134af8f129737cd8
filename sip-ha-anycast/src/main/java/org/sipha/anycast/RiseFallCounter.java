package org.sipha.anycast;

/**
 * Turns a stream of pass/fail probe results into a healthy/unhealthy verdict that changes only after
 * {@code rise} consecutive passes or {@code fall} consecutive failures. Starts as unknown.
 * Single-threaded (decision thread).
 */
final class RiseFallCounter {
    enum Verdict {
        UNKNOWN,
        HEALTHY,
        UNHEALTHY
    }

    private final int rise;
    private final int fall;
    private int passRun;
    private int failRun;
    private Verdict verdict = Verdict.UNKNOWN;

    RiseFallCounter(int rise, int fall) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be >= 1: rise=" + rise + " fall=" + fall);
        }
        this.rise = rise;
        this.fall = fall;
    }

    /** Records one probe result; returns true if the verdict changed. */
    boolean record(boolean pass) {
        Verdict before = verdict;
        if (pass) {
            failRun = 0;
            passRun++;
            if (passRun >= rise) {
                verdict = Verdict.HEALTHY;
            }
        } else {
            passRun = 0;
            failRun++;
            if (failRun >= fall) {
                verdict = Verdict.UNHEALTHY;
            }
        }
        return verdict != before;
    }

    /** The results stopped coming: unhealthy at once, and {@code rise} passes are needed again. */
    void lapse() {
        passRun = 0;
        failRun = fall;
        verdict = Verdict.UNHEALTHY;
    }

    Verdict verdict() {
        return verdict;
    }

    int passRun() {
        return passRun;
    }

    int failRun() {
        return failRun;
    }
}
