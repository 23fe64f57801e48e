package io.syncline.node.cli;

import io.syncline.node.membership.SnapshotCopy;
import java.io.PrintWriter;

/** Shows the progress of {@code syncline join}'s copy, with the time each table still needs ({@link TableProgressLines}). */
final class JoinProgressLines implements SnapshotCopy.Listener {

    private final TableProgressLines lines;

    JoinProgressLines(PrintWriter out) {
        this.lines = new TableProgressLines(out, true);
    }

    @Override
    public void tableStarted(String table, long rows, long copiedBefore, boolean finished) {
        if (finished) {
            lines.started(0, String.format("%s: copied before (%,d row(s))", table, copiedBefore));
            return;
        }
        long toCopy = Math.max(0, rows - copiedBefore);
        lines.started(toCopy, String.format("%s: %,d row(s) to copy%s", table, toCopy,
                copiedBefore > 0 ? String.format(" (resuming: %,d copied before)", copiedBefore) : ""));
    }

    @Override
    public void chunkCommitted(String table, long copied) {
        lines.progressed(table, copied);
    }
}
