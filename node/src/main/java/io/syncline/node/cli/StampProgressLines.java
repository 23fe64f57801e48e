package io.syncline.node.cli;

import io.syncline.schema.ExistingRowStamper;
import java.io.PrintWriter;

/** Shows the progress of stamping existing rows ({@link TableProgressLines}). */
final class StampProgressLines implements ExistingRowStamper.Listener {

    private final TableProgressLines lines;

    StampProgressLines(PrintWriter out) {
        this.lines = new TableProgressLines(out, false);
    }

    @Override
    public void tableStarted(String table, long unstamped, long resumedAfter) {
        lines.started(unstamped, unstamped == 0 ? table + ": every row has a version"
                : String.format("%s: %,d row(s) without a version%s", table, unstamped,
                        resumedAfter > 0 ? String.format(" (resuming: %,d stamped before)", resumedAfter) : ""));
    }

    @Override
    public void chunkCommitted(String table, long stamped) {
        lines.progressed(table, stamped);
    }
}
