package org.sipha.testsupport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of a SIPp statistics file ({@code -trace_stat}): the counters under SIPp's own column names, e.g.
 * {@code SuccessfulCall(C)} (cumulative) and {@code SuccessfulCall(P)} (this period). Immutable; any thread.
 */
public final class SippStats {
    private final Map<String, String> values;

    private SippStats(Map<String, String> values) {
        this.values = values;
    }

    /** The last row of a statistics file's {@code lines} (header first, fields separated by ';'). */
    static SippStats parseLastRow(List<String> lines) {
        if (lines.size() < 2) {
            throw new IllegalStateException("SIPp has written no statistics row yet");
        }
        String[] header = lines.get(0).split(";", -1);
        String[] row = lines.get(lines.size() - 1).split(";", -1);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < header.length && i < row.length; i++) {
            if (!header[i].isEmpty()) {
                values.put(header[i], row[i].trim());
            }
        }
        return new SippStats(values);
    }

    /** Calls created so far (incoming and outgoing). */
    public long callsCreated() {
        return counter("TotalCallCreated");
    }

    /** Calls that reached the end of the scenario. */
    public long successfulCalls() {
        return counter("SuccessfulCall(C)");
    }

    /** Calls that failed for any reason (unexpected message, timeout, ...). */
    public long failedCalls() {
        return counter("FailedCall(C)");
    }

    /** Calls in progress when the row was written. */
    public long currentCalls() {
        return counter("CurrentCall");
    }

    /** Messages SIPp retransmitted. */
    public long retransmissions() {
        return counter("Retransmissions(C)");
    }

    /** The integer counter in {@code column}, a SIPp column name such as {@code FailedTimeoutOnRecv(C)}. */
    public long counter(String column) {
        String v = values.get(column);
        if (v == null) {
            throw new IllegalArgumentException("no SIPp statistics column " + column + "; columns: " + values.keySet());
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SIPp statistics column " + column + " is not a counter: " + v, e);
        }
    }

    @Override
    public String toString() {
        return "SippStats[created=" + values.get("TotalCallCreated") + ", successful="
                + values.get("SuccessfulCall(C)") + ", failed=" + values.get("FailedCall(C)") + ", current="
                + values.get("CurrentCall") + ", retransmissions=" + values.get("Retransmissions(C)") + "]";
    }
}
