package io.syncline.node.cli;

import io.syncline.node.membership.SnapshotCopy;
import java.io.PrintWriter;

/**
 * Shows the progress of {@code syncline join}'s copy as lines: one when a table starts, then at
 * most one a second with the share done, the rate and the time the table still needs at that rate.
 */
final class JoinProgressLines implements SnapshotCopy.Listener {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final PrintWriter out;
    private long toCopy;
    private long tableStarted;
    private long lastLine;

    JoinProgressLines(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void tableStarted(String table, long rows, long copiedBefore, boolean finished) {
        tableStarted = System.nanoTime();
        lastLine = tableStarted;
        if (finished) {
            out.printf("%s: copied before (%,d row(s))%n", table, copiedBefore);
        } else {
            toCopy = Math.max(0, rows - copiedBefore);
            out.printf("%s: %,d row(s) to copy%s%n", table, toCopy,
                    copiedBefore > 0 ? String.format(" (resuming: %,d copied before)", copiedBefore) : "");
        }
        out.flush();
    }

    @Override
    public void chunkCommitted(String table, long copied) {
        long now = System.nanoTime();
        if (now - lastLine < INTERVAL_NANOS) {
            return;
        }
        lastLine = now;
        long rate = StampProgressLines.rate(copied, now - tableStarted);
        long left = Math.max(0, toCopy - copied);
        out.printf("%s: %,d / %,d (%d%%), %,d rows/s, about %d s left%n", table, copied, toCopy,
                toCopy == 0 ? 100 : Math.min(100, copied * 100 / toCopy), rate, rate == 0 ? 0 : (left + rate - 1) / rate);
        out.flush();
    }
}
