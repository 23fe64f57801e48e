package io.syncline.apply.internal;

import io.syncline.conflict.RowPlan;
import io.syncline.core.event.RowChange;
import java.sql.SQLException;
import java.util.Map;

/** Writes one decided change at once. Not thread-safe: one per {@link ApplySession}, on its connection. */
final class SingleRowWriter implements RowWriter {

    private final PreparedStatements statements;

    SingleRowWriter(PreparedStatements statements) {
        this.statements = statements;
    }

    @Override
    public Written write(Decided decided) throws SQLException {
        RowSql sql = decided.table().sql();
        RowPlan plan = decided.plan();
        Map<String, String> key = decided.change().key();
        boolean written = switch (decided.op()) {
            case SKIP -> true;
            case INSERT_ROW -> sql.insertRow(statements, decided.row(), plan.version(), plan.metadata(), plan.frontier())
                    .executeUpdate() == 1;
            case UPDATE_ROW -> {
                RowChange row = decided.row();
                if (sql.updateRow(statements, row, plan.version(), plan.metadata(), plan.frontier()).executeUpdate() != 1) {
                    throw vanished(decided);
                }
                yield true;
            }
            case DELETE_ROW -> {
                sql.deleteRow(statements, key).executeUpdate();
                sql.upsertTombstone(statements, key, plan.version(), plan.frontier()).executeUpdate();
                yield true;
            }
            case UPSERT_TOMBSTONE -> {
                sql.upsertTombstone(statements, key, plan.version(), plan.frontier()).executeUpdate();
                yield true;
            }
            case INSERT_TOMBSTONE_IF_ABSENT -> sql.insertTombstoneIfAbsent(statements, key, plan.version(), plan.frontier())
                    .executeUpdate() == 1;
            case SET_ROW_VERSION -> {
                sql.updateRowVersion(statements, key, plan.version(), plan.metadata(), plan.frontier()).executeUpdate();
                yield true;
            }
            case SET_TOMBSTONE_VERSION -> {
                sql.updateTombstoneVersion(statements, key, plan.version(), plan.frontier()).executeUpdate();
                yield true;
            }
        };
        return written ? Written.DONE : Written.LOST_RACE;
    }

    @Override
    public void flush() {
        // Nothing waits.
    }

    /** A row locked by the read is gone: only another session ignoring the lock could do that; apply again. */
    static SQLException vanished(Decided decided) {
        return new SQLException("locked row " + decided.change().key() + " of " + decided.table().name() + " vanished", "40001");
    }
}
