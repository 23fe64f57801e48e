package io.syncline.apply.internal;

import java.sql.SQLException;

/**
 * Carries out decided changes ({@link Decided#op()}): {@link SingleRowWriter} at once,
 * {@link BatchedRowWriter} in batches. Not thread-safe: one per {@link ApplySession}.
 */
interface RowWriter {

    /** What became of a write. */
    enum Written {
        /** Written, or queued and needing no check: count it now. */
        DONE,
        /** Queued; the writer's {@link Listener} hears at {@link #flush} whether it was written or lost a race. */
        QUEUED,
        /** A local writer inserted the key first: nothing was written, read and decide again. */
        LOST_RACE
    }

    /** Told what became of the writes a batched writer {@link Written#QUEUED queued}. */
    interface Listener {

        void written(Decided decided) throws SQLException;

        /** A local writer inserted the key between the read and the write: read and decide again. */
        void lostRace(Decided decided) throws SQLException;
    }

    Written write(Decided decided) throws SQLException;

    /** Writes what is queued; a failure names the change it concerns ({@link ChangeFailure}). */
    void flush() throws SQLException;
}
