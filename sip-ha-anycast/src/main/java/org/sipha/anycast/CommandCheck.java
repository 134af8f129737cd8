package org.sipha.anycast;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A site check by external command, run with {@code /bin/sh -c} under a deadline ({@link BoundedCommand}).
 * It counts what is up in the command's output and passes when at least {@code minUp} are:
 * <ul>
 *   <li>{@link Counting#KAMAILIO_DISPATCHER}: active destinations in {@code kamcmd dispatcher.list} output
 *       ({@link KamailioDispatcherList});</li>
 *   <li>{@link Counting#MATCHING_LINES}: output lines in which a regular expression is found;</li>
 *   <li>{@link Counting#EXIT_STATUS}: nothing to count; exit status 0 is "1 of 1 up".</li>
 * </ul>
 * A non-zero exit, a timeout or a command that cannot start is 0 up in every mode.
 *
 * <p>Threading: immutable; {@link #run()} blocks up to the timeout, from one thread at a time
 * ({@link CommandCheckLoop}).
 */
final class CommandCheck {
    private static final int MAX_OUTPUT_IN_DETAIL = 200;

    enum Counting {
        EXIT_STATUS,
        KAMAILIO_DISPATCHER,
        MATCHING_LINES
    }

    /** One run: {@code up} of {@code total} counted, {@code pass} if {@code up >= minUp}. */
    record Result(boolean pass, int up, int total, String detail) {}

    private final String command;
    private final long timeoutMs;
    private final Counting counting;
    private final Pattern regex;
    private final int minUp;

    /**
     * @param regex required for {@link Counting#MATCHING_LINES}, else ignored
     * @param minUp at least 1; must be 1 for {@link Counting#EXIT_STATUS}
     */
    CommandCheck(String command, long timeoutMs, Counting counting, Pattern regex, int minUp) {
        if (command.isBlank()) {
            throw new IllegalArgumentException("empty check command");
        }
        if (timeoutMs < 1 || minUp < 1) {
            throw new IllegalArgumentException("need timeoutMs >= 1 and minUp >= 1: " + timeoutMs + ", " + minUp);
        }
        if (counting == Counting.EXIT_STATUS && minUp != 1) {
            throw new IllegalArgumentException("an exit-status check counts 1 at most; minUp must be 1: " + minUp);
        }
        if (counting == Counting.MATCHING_LINES) {
            Objects.requireNonNull(regex, "regex");
        }
        this.command = command;
        this.timeoutMs = timeoutMs;
        this.counting = Objects.requireNonNull(counting, "counting");
        this.regex = regex;
        this.minUp = minUp;
    }

    int minUp() {
        return minUp;
    }

    @Override
    public String toString() {
        return "`" + command + "` ("
                + switch (counting) {
                    case EXIT_STATUS -> "exit status 0";
                    case KAMAILIO_DISPATCHER -> ">= " + minUp + " active Kamailio dispatcher destinations";
                    case MATCHING_LINES -> ">= " + minUp + " lines matching /" + regex + "/";
                }
                + ", timeout " + timeoutMs + " ms)";
    }

    Result run() {
        BoundedCommand.Result r;
        try {
            r = BoundedCommand.run(List.of("/bin/sh", "-c", command), timeoutMs, "check command");
        } catch (AnnouncerException e) {
            return new Result(false, 0, 0, e.getMessage());
        }
        if (r.exitCode() != 0) {
            return new Result(false, 0, 0, "`" + command + "` exited " + r.exitCode() + ": " + head(r.output()));
        }
        return switch (counting) {
            case EXIT_STATUS -> new Result(true, 1, 1, "`" + command + "` exited 0");
            case KAMAILIO_DISPATCHER -> counted(KamailioDispatcherList.count(r.output()), r.output());
            case MATCHING_LINES -> matchingLines(r.output());
        };
    }

    private Result counted(KamailioDispatcherList.Count c, String output) {
        String detail = c.active() + " of " + c.total() + " dispatcher destinations active (need " + minUp + ") in `"
                + command + "`";
        if (c.total() == 0) {
            detail += " output: " + head(output);
        }
        return new Result(c.active() >= minUp, c.active(), c.total(), detail);
    }

    private Result matchingLines(String output) {
        int lines = 0;
        int matches = 0;
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                lines++;
                if (regex.matcher(line).find()) {
                    matches++;
                }
            }
        }
        return new Result(
                matches >= minUp,
                matches,
                lines,
                matches + " of " + lines + " lines match /" + regex + "/ (need " + minUp + ") in `" + command
                        + "` output");
    }

    private static String head(String output) {
        String s = output.strip().replace('\n', ' ');
        return s.isEmpty()
                ? "(no output)"
                : s.length() > MAX_OUTPUT_IN_DETAIL ? s.substring(0, MAX_OUTPUT_IN_DETAIL) + "..." : s;
    }
}
