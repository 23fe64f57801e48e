package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary-key changes of a target transaction. The capture sends one as the delete of the old
 * key (its tombstone) and an insert of the new key that names the old one, or as an update that
 * names the old key. The old key disappears like a delete, and the new key's row takes the values
 * the change did not send (unchanged TOASTed columns) from the old row. Changes are told apart by
 * identity. Not thread-safe: one per {@link ApplySession}.
 */
final class KeyChanges {

    private static final Logger log = LoggerFactory.getLogger(KeyChanges.class);

    private final PreparedStatements statements;
    private final LocalStateReader reader;
    private final String logPrefix;
    // The deletes of old keys; for those whose new key's insert left TOASTed values out, that insert,
    // and the old row's values read just before the delete (null when there was no local row).
    private final Set<RowChange> oldKeyDeletes = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<RowChange, RowChange> movedInsertsNeedingValues = new IdentityHashMap<>();
    private final Map<RowChange, Map<String, String>> carriedValues = new IdentityHashMap<>();

    KeyChanges(PreparedStatements statements, LocalStateReader reader, String logPrefix) {
        this.statements = statements;
        this.reader = reader;
        this.logPrefix = logPrefix;
    }

    /** Finds the key changes among {@code transactions}, forgetting those of the last target transaction. */
    void find(List<SourceTransaction> transactions) {
        clear();
        for (SourceTransaction transaction : transactions) {
            Map<List<Object>, RowChange> movedFrom = new HashMap<>();
            for (RowChange change : transaction.changes()) {
                if (change.operation() == Operation.INSERT && change.changesKey()) {
                    movedFrom.put(List.of(change.table(), change.oldKey()), change);
                }
            }
            if (movedFrom.isEmpty()) {
                continue;
            }
            for (RowChange change : transaction.changes()) {
                RowChange insert = change.operation() == Operation.DELETE ? movedFrom.get(List.of(change.table(), change.key())) : null;
                if (insert != null) {
                    oldKeyDeletes.add(change);
                    if (!insert.unchangedColumns().isEmpty()) {
                        movedInsertsNeedingValues.put(change, insert);
                    }
                }
            }
        }
    }

    void clear() {
        oldKeyDeletes.clear();
        movedInsertsNeedingValues.clear();
        carriedValues.clear();
    }

    /** Whether {@code change} deletes the old key of a key change, so that a conflict there is logged as the key change it is. */
    boolean deletesOldKey(RowChange change) {
        return oldKeyDeletes.contains(change);
    }

    /**
     * Whether {@code change} deletes an old key whose values the new key's insert needs: read them
     * with {@link #carryValues} before it is written, once the changes before it are.
     */
    boolean needsValuesBeforeDelete(RowChange change) {
        return movedInsertsNeedingValues.containsKey(change);
    }

    /** Reads the old row that {@code delete} deletes, for the new key's insert. */
    void carryValues(TableShape table, RowChange delete) throws SQLException {
        carriedValues.put(movedInsertsNeedingValues.get(delete), reader.read(table, delete.key()).values());
    }

    /** The change with the values carried for it, when it is a new key's insert that needs them. */
    RowChange withCarriedValues(RowChange change) {
        return carriedValues.containsKey(change) ? withValues(change, carriedValues.remove(change)) : change;
    }

    /**
     * Deletes the old key of an update that changes the key, and returns the update with the values
     * it did not send taken from the old row. The event carries only the new key's version, so the
     * old key's tombstone gets the origin trigger's rule applied to the local old row: clock
     * max(change clock, old clock + 1), vector = old vector + 1 for the origin.
     *
     * @param written counts the rows written
     */
    RowChange deleteOldKey(TableShape table, RowChange change, Runnable written) throws SQLException {
        Map<String, String> oldKey = change.oldKey();
        LocalState old = reader.read(table, oldKey);
        RowClock remoteClock = change.version().clock();
        RowSql sql = table.sql();
        Map<String, String> oldValues = null;
        switch (old.kind()) {
            case ROW -> {
                RowVersion local = old.version();
                RowVersion tombstone = new RowVersion(
                        new RowClock(Math.max(remoteClock.hlc(), local.clock().hlc() + 1), remoteClock.nodeId()),
                        local.vector().increment(remoteClock.nodeId()));
                sql.deleteRow(statements, oldKey).executeUpdate();
                sql.upsertTombstone(statements, oldKey, tombstone, List.of()).executeUpdate();
                written.run();
                oldValues = old.values();
            }
            case NONE -> {
                sql.insertTombstoneIfAbsent(statements, oldKey, change.version(), List.of()).executeUpdate();
                written.run();
            }
            default -> {
            }
        }
        return withValues(change, oldValues);
    }

    /** The change with the values it did not send (unchanged TOASTed columns) taken from the old row, when there is one. */
    private RowChange withValues(RowChange change, Map<String, String> oldValues) {
        if (change.unchangedColumns().isEmpty()) {
            return change;
        }
        if (oldValues == null) {
            log.warn("{} key change of {} from {} to {}: no local row at the old key, so the columns {} it did not send"
                    + " (unchanged TOASTed values) get their defaults", logPrefix, change.table(), change.oldKey(), change.key(),
                    change.unchangedColumns());
            return change;
        }
        Map<String, String> values = new LinkedHashMap<>(change.values());
        for (String column : change.unchangedColumns()) {
            values.put(column, oldValues.get(column));
        }
        return new RowChange(change.table(), change.operation(), change.key(), change.oldKey(), values, Set.of(), change.version(),
                change.metadata());
    }
}
