package org.sipha.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SIPp processes one test started, ended together by pid in {@link #close()} (e.g. from {@code @AfterEach})
 * when the test keeps no handle to each. The test's thread only.
 */
public final class SippProcesses implements AutoCloseable {
    private final List<SippProcess> started = new ArrayList<>();

    /** Starts {@code sipp} and keeps it to be ended by {@link #close()}. */
    public SippProcess start(SippProcess.Builder sipp) throws IOException {
        SippProcess p = sipp.start();
        started.add(p);
        return p;
    }

    /** Ends every process started through this group that still runs. */
    @Override
    public void close() {
        for (SippProcess p : started) {
            p.close();
        }
        started.clear();
    }
}
