package io.syncline.node.cli;

import io.syncline.schema.ExistingRowStamper;
import java.io.PrintWriter;

/**
 * Shows the progress of stamping existing rows as lines: one when a table starts, then at most
 * one a second with the share done and the rate, so that a long init is never silent.
 */
final class StampProgressLines implements ExistingRowStamper.Listener {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final PrintWriter out;
    private long total;
    private long tableStarted;
    private long lastLine;

    StampProgressLines(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void tableStarted(String table, long unstamped, long resumedAfter) {
        total = unstamped;
        tableStarted = System.nanoTime();
        lastLine = tableStarted;
        if (unstamped == 0) {
            out.printf("%s: every row has a version%n", table);
        } else {
            out.printf("%s: %,d row(s) without a version%s%n", table, unstamped,
                    resumedAfter > 0 ? String.format(" (resuming: %,d stamped before)", resumedAfter) : "");
        }
        out.flush();
    }

    @Override
    public void chunkCommitted(String table, long stamped) {
        long now = System.nanoTime();
        if (now - lastLine < INTERVAL_NANOS) {
            return;
        }
        lastLine = now;
        out.printf("%s: %,d / %,d (%d%%), %,d rows/s%n", table, stamped, total,
                total == 0 ? 100 : Math.min(100, stamped * 100 / total), rate(stamped, now - tableStarted));
        out.flush();
    }

    static long rate(long rows, long nanos) {
        return nanos <= 0 ? 0 : Math.round(rows * 1e9 / nanos);
    }
}
