package io.syncline.apply.internal;

import io.syncline.conflict.RowPlan;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the decided changes of a run (distinct keys of one table) in batches, in three queues.
 * Writes to the user table keep the change order (another unique constraint may depend on it), so
 * a new statement first executes the pending batch of another. Inserts, or updates of locked rows,
 * of one column set in a table whose primary key is its only unique constraint
 * ({@link TableShape#rowOrderFree}) go to one statement over arrays ({@link RowSql#writeRows}),
 * which costs the server one execution instead of one per row. Tombstone writes of distinct keys
 * commute and wait for {@link #flush}. Not thread-safe: one per {@link ApplySession}, on its
 * connection.
 */
final class BatchedRowWriter implements RowWriter {

    private static final Logger log = LoggerFactory.getLogger(BatchedRowWriter.class);

    /**
     * pgjdbc names the failed entry only in its message ("Batch entry 2 INSERT ... was aborted");
     * its update counts mark every entry of a failed batch as failed inside a transaction.
     */
    private static final Pattern FAILED_ENTRY = Pattern.compile("^Batch entry (\\d+) ");

    private final Connection connection;
    private final PreparedStatements statements;
    private final Savepoints savepoints;
    private final SingleRowWriter single;
    private final Listener listener;
    private final String logPrefix;

    // The user-table statement with a pending JDBC batch, and the writes in it.
    private PreparedStatement pendingRowStatement;
    private final List<Decided> pendingRowWrites = new ArrayList<>();
    // Rows waiting for one statement over arrays; null when there are none.
    private RowSql.RowArrays pendingRows;
    private final List<Decided> pendingRowsWrites = new ArrayList<>();
    private final Map<PreparedStatement, List<Decided>> pendingTombstoneWrites = new LinkedHashMap<>();

    BatchedRowWriter(Connection connection, PreparedStatements statements, Savepoints savepoints, SingleRowWriter single,
            Listener listener, String logPrefix) {
        this.connection = connection;
        this.statements = statements;
        this.savepoints = savepoints;
        this.single = single;
        this.listener = listener;
        this.logPrefix = logPrefix;
    }

    @Override
    public Written write(Decided decided) throws SQLException {
        RowSql sql = decided.table().sql();
        RowPlan plan = decided.plan();
        var key = decided.change().key();
        switch (decided.op()) {
            case SKIP -> {
                return Written.DONE;
            }
            case UPDATE_ROW -> {
                if (decided.table().rowOrderFree()) {
                    queueRows(false, decided, sql.updatedColumns(decided.row()));
                } else {
                    queueRow(sql.updateRow(this::rowStatement, decided.row(), plan.version(), plan.metadata(), plan.frontier()),
                            decided);
                }
                return Written.DONE;
            }
            case INSERT_ROW -> {
                if (decided.table().rowOrderFree()) {
                    queueRows(true, decided, sql.insertedColumns(decided.row()));
                } else {
                    queueRow(sql.insertRow(this::rowStatement, decided.row(), plan.version(), plan.metadata(), plan.frontier()),
                            decided);
                }
                return Written.QUEUED;
            }
            case DELETE_ROW -> {
                queueRow(sql.deleteRow(this::rowStatement, key), decided);
                queueTombstone(sql.upsertTombstone(statements, key, plan.version(), plan.frontier()), decided);
                return Written.DONE;
            }
            case UPSERT_TOMBSTONE -> {
                queueTombstone(sql.upsertTombstone(statements, key, plan.version(), plan.frontier()), decided);
                return Written.DONE;
            }
            case INSERT_TOMBSTONE_IF_ABSENT -> {
                queueTombstone(sql.insertTombstoneIfAbsent(statements, key, plan.version(), plan.frontier()), decided);
                return Written.QUEUED;
            }
            case SET_ROW_VERSION -> {
                queueRow(sql.updateRowVersion(this::rowStatement, key, plan.version(), plan.metadata(), plan.frontier()),
                        decided);
                return Written.DONE;
            }
            case SET_TOMBSTONE_VERSION -> {
                queueTombstone(sql.updateTombstoneVersion(statements, key, plan.version(), plan.frontier()), decided);
                return Written.DONE;
            }
            default -> throw new IllegalStateException("unknown write " + decided.op());
        }
    }

    @Override
    public void flush() throws SQLException {
        flushRowWrites();
        if (pendingTombstoneWrites.isEmpty()) {
            return;
        }
        List<Map.Entry<PreparedStatement, List<Decided>>> batches = new ArrayList<>(pendingTombstoneWrites.entrySet());
        pendingTombstoneWrites.clear();
        for (Map.Entry<PreparedStatement, List<Decided>> batch : batches) {
            checkCounts(executeBatch(batch.getKey(), batch.getValue()), batch.getValue());
        }
    }

    /** Forgets the batches a failed target transaction left. */
    void discard() throws SQLException {
        if (pendingRowStatement != null) {
            pendingRowStatement.clearBatch();
        }
        for (PreparedStatement statement : pendingTombstoneWrites.keySet()) {
            statement.clearBatch();
        }
        pendingRowStatement = null;
        pendingRowWrites.clear();
        pendingTombstoneWrites.clear();
        pendingRows = null;
        pendingRowsWrites.clear();
    }

    private void queueRows(boolean insert, Decided decided, List<String> names) throws SQLException {
        if (pendingRowStatement != null) {
            flushRowWrites();
        }
        if (pendingRows != null && !pendingRows.accepts(insert, decided.table(), names)) {
            flushRows();
        }
        if (pendingRows == null) {
            pendingRows = new RowSql.RowArrays(insert, decided.table(), names);
        }
        RowPlan plan = decided.plan();
        pendingRows.add(decided.row(), plan.version(), plan.metadata(), plan.frontier());
        pendingRowsWrites.add(decided);
    }

    /**
     * Writes the pending rows with one statement. When it fails or does not write every row (a local
     * writer inserted a key first), it is rolled back to its savepoint and the rows are written one by
     * one, so that the failing change is named and a lost insert race is decided again.
     */
    private void flushRows() throws SQLException {
        RowSql.RowArrays rows = pendingRows;
        if (rows == null) {
            return;
        }
        List<Decided> writes = new ArrayList<>(pendingRowsWrites);
        pendingRows = null;
        pendingRowsWrites.clear();
        if (writes.size() > 1 && writeTogether(rows, writes)) {
            return;
        }
        for (Decided write : writes) {
            try {
                Written written = single.write(write);
                if (rows.insert()) {
                    if (written == Written.DONE) {
                        listener.written(write);
                    } else {
                        listener.lostRace(write);
                    }
                }
            } catch (SQLException e) {
                throw ChangeFailure.at(e, write.transaction(), write.change());
            }
        }
    }

    /** @return false when the rows must be written one by one (the statement was rolled back) */
    private boolean writeTogether(RowSql.RowArrays rows, List<Decided> writes) throws SQLException {
        PreparedStatement statement = writes.get(0).table().sql().writeRows(statements, connection, rows);
        if (!savepoints.run(() -> statement.executeUpdate() == writes.size(), written -> written, refused -> false)) {
            return false;
        }
        if (rows.insert()) {
            for (Decided write : writes) {
                listener.written(write);
            }
        }
        return true;
    }

    private void queueRow(PreparedStatement bound, Decided write) throws SQLException {
        if (pendingRowStatement != null && pendingRowStatement != bound) {
            throw new IllegalStateException("a batch of another statement is pending");
        }
        bound.addBatch();
        pendingRowStatement = bound;
        pendingRowWrites.add(write);
    }

    private void queueTombstone(PreparedStatement bound, Decided write) throws SQLException {
        bound.addBatch();
        pendingTombstoneWrites.computeIfAbsent(bound, s -> new ArrayList<>()).add(write);
    }

    /**
     * The statement for a row write, executing the pending batch of another statement first (binding
     * must wait: binding parameters of a statement with a pending batch is fine, of another is not).
     */
    private PreparedStatement rowStatement(String sql) throws SQLException {
        flushRows();
        PreparedStatement statement = statements.prepared(sql);
        if (pendingRowStatement != null && pendingRowStatement != statement) {
            flushRowWrites();
        }
        return statement;
    }

    private void flushRowWrites() throws SQLException {
        flushRows();
        if (pendingRowStatement == null) {
            return;
        }
        PreparedStatement statement = pendingRowStatement;
        List<Decided> writes = new ArrayList<>(pendingRowWrites);
        pendingRowStatement = null;
        pendingRowWrites.clear();
        checkCounts(executeBatch(statement, writes), writes);
    }

    /** Executes a batch; a failed entry names its change. */
    private static int[] executeBatch(PreparedStatement statement, List<Decided> writes) throws SQLException {
        try {
            return statement.executeBatch();
        } catch (BatchUpdateException e) {
            Matcher entry = FAILED_ENTRY.matcher(String.valueOf(e.getMessage()));
            int failed = entry.find() ? Integer.parseInt(entry.group(1)) : 0;
            if (failed < writes.size()) {
                throw ChangeFailure.at(e, writes.get(failed).transaction(), writes.get(failed).change());
            }
            throw e;
        }
    }

    private void checkCounts(int[] counts, List<Decided> writes) throws SQLException {
        for (int i = 0; i < counts.length; i++) {
            Decided write = writes.get(i);
            int count = counts[i];
            if (count == PreparedStatement.SUCCESS_NO_INFO) {
                throw new IllegalStateException("the driver did not report the update count of a batched write");
            }
            switch (write.op().check()) {
                case ONE -> {
                    if (count != 1) {
                        throw SingleRowWriter.vanished(write);
                    }
                }
                case RACE -> {
                    if (count == 1) {
                        listener.written(write);
                    } else {
                        log.debug("{} key {} of {} was written locally meanwhile; deciding again", logPrefix,
                                write.change().key(), write.table().name());
                        listener.lostRace(write);
                    }
                }
                default -> {
                }
            }
        }
    }
}
