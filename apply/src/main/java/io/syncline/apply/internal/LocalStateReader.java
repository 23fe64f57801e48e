package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the local state the decisions are made against, under row locks held until the target
 * transaction ends: a key's row, else its tombstone, else nothing. Not thread-safe: one per
 * {@link ApplySession}, on its connection.
 */
final class LocalStateReader {

    /** Where the table a change writes comes from ({@link ChangeShapes#shapeFor}). */
    interface ShapeLookup {
        /** The table of {@code change}, checked against it; throws when they do not match. */
        TableShape shapeFor(RowChange change) throws SQLException;
    }

    private final PreparedStatements statements;

    LocalStateReader(PreparedStatements statements) {
        this.statements = statements;
    }

    /** The local row of {@code key} under a row lock, else its tombstone under a row lock, else nothing. */
    LocalState read(TableShape table, Map<String, String> key) throws SQLException {
        RowSql sql = table.sql();
        try (ResultSet rs = sql.selectRow(statements, key).executeQuery()) {
            if (rs.next()) {
                return sql.rowState(rs, 1);
            }
        }
        try (ResultSet rs = sql.selectTombstone(statements, key).executeQuery()) {
            if (rs.next()) {
                return RowSql.tombstoneState(rs, 1);
            }
        }
        return LocalState.NONE;
    }

    /** The local state of every key of {@code run} (pairwise distinct), read under row locks in two queries at most. */
    LocalState[] read(TableShape table, List<RowChange> run) throws SQLException {
        RowSql sql = table.sql();
        LocalState[] locals = new LocalState[run.size()];
        List<Map<String, String>> keys = new ArrayList<>(run.size());
        for (RowChange change : run) {
            keys.add(change.key());
        }
        int found = 0;
        try (ResultSet rs = sql.selectRows(statements, keys).executeQuery()) {
            while (rs.next()) {
                locals[rs.getInt(1) - 1] = sql.rowState(rs, 2);
                found++;
            }
        }
        if (found == run.size()) {
            return locals;
        }
        List<Map<String, String>> missing = new ArrayList<>(run.size() - found);
        int[] positions = new int[run.size() - found];
        for (int i = 0; i < locals.length; i++) {
            if (locals[i] == null) {
                positions[missing.size()] = i;
                missing.add(keys.get(i));
                locals[i] = LocalState.NONE;
            }
        }
        try (ResultSet rs = sql.selectTombstones(statements, missing).executeQuery()) {
            while (rs.next()) {
                locals[positions[rs.getInt(1) - 1]] = RowSql.tombstoneState(rs, 2);
            }
        }
        return locals;
    }

    /**
     * Locks the rows and tombstones of every key the changes of {@code transactions} write, before
     * the first write: table by table in name order, each table's keys in key order. The appliers of
     * several upstream links then lock the keys they share in one order and never wait for each
     * other in a cycle (a deadlock, which PostgreSQL detects only after {@code deadlock_timeout} and
     * resolves by failing one of them), and a target transaction does its waiting before it holds
     * any row. Keys of tables whose key types are not read as sets ({@link TableShape#setApplicable})
     * are locked as their changes come. A failure names the change whose key it concerns.
     */
    void lockKeysInOrder(List<SourceTransaction> transactions, ShapeLookup shapes) throws SQLException {
        var byTable = GroupKeys.of(transactions);
        if (GroupKeys.count(byTable) < 2) {
            return;
        }
        for (var table : byTable.entrySet()) {
            GroupKeys.Writer first = table.getValue().values().iterator().next();
            try {
                TableShape shape = shapes.shapeFor(first.change());
                if (!shape.setApplicable()) {
                    continue;
                }
                for (var key : table.getValue().entrySet()) {
                    try {
                        ChangeShapes.requireKey(shape, key.getKey());
                    } catch (SQLException e) {
                        throw ChangeFailure.at(e, key.getValue().transaction(), key.getValue().change());
                    }
                }
                List<Map<String, String>> keys = new ArrayList<>(table.getValue().keySet());
                RowSql sql = shape.sql();
                countLocked(sql.lockRows(statements, keys));
                countLocked(sql.lockTombstones(statements, keys));
            } catch (SQLException e) {
                throw ChangeFailure.at(e, first.transaction(), first.change());
            }
        }
    }

    private static void countLocked(PreparedStatement lock) throws SQLException {
        try (ResultSet locked = lock.executeQuery()) {
            // One row: the count.
        }
    }
}
