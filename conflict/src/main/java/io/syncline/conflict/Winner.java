package io.syncline.conflict;

import java.util.Locale;

/** The outcome of a conflict, as written to {@code syncline.conflict_log.winner}. */
public enum Winner {
    /** The local row or tombstone stayed. */
    LOCAL,
    /** The remote version replaced it. */
    REMOTE,
    /** A row merged from both sides was written. */
    MERGED,
    /** The row was deleted (a resolver decided so for two rows). */
    DELETED,
    /** The resolver failed; the remote change waits in {@code syncline.dead_letter}. */
    PARKED;

    public String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
