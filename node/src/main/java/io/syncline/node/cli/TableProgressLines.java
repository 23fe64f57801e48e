package io.syncline.node.cli;

import java.io.PrintWriter;

/**
 * Progress of a command that works through tables, as lines: one when a table starts, then at most
 * one a second with the rows done of the table's total, the share, the rate and, when asked, the time
 * the table still needs at that rate. So that a long {@code init} or {@code join} is never silent.
 */
final class TableProgressLines {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final PrintWriter out;
    private final boolean showTimeLeft;
    private long total;
    private long tableStarted;
    private long lastLine;

    TableProgressLines(PrintWriter out, boolean showTimeLeft) {
        this.out = out;
        this.showTimeLeft = showTimeLeft;
    }

    /** A table starts with {@code total} rows to work through; {@code line} says so. */
    void started(long total, String line) {
        this.total = total;
        tableStarted = System.nanoTime();
        lastLine = tableStarted;
        out.println(line);
        out.flush();
    }

    /** {@code done} rows of the table are through; prints a line if the last one is a second old. */
    void progressed(String table, long done) {
        long now = System.nanoTime();
        if (now - lastLine < INTERVAL_NANOS) {
            return;
        }
        lastLine = now;
        long rate = rate(done, now - tableStarted);
        String line = String.format("%s: %,d / %,d (%d%%), %,d rows/s", table, done, total,
                total == 0 ? 100 : Math.min(100, done * 100 / total), rate);
        if (showTimeLeft) {
            long left = Math.max(0, total - done);
            line += String.format(", about %d s left", rate == 0 ? 0 : (left + rate - 1) / rate);
        }
        out.println(line);
        out.flush();
    }

    static long rate(long rows, long nanos) {
        return nanos <= 0 ? 0 : Math.round(rows * 1e9 / nanos);
    }
}
