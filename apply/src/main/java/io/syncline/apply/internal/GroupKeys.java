package io.syncline.apply.internal;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The keys the changes of a target transaction write: by table in name order, each with the first change that writes it. */
final class GroupKeys {

    /** A change and the source transaction it belongs to. */
    record Writer(SourceTransaction transaction, RowChange change) {}

    private GroupKeys() {}

    static SortedMap<String, Map<Map<String, String>, Writer>> of(List<SourceTransaction> transactions) {
        SortedMap<String, Map<Map<String, String>, Writer>> byTable = new TreeMap<>();
        for (SourceTransaction transaction : transactions) {
            for (RowChange change : transaction.changes()) {
                if (ReplicationSchema.isControlTable(change.table())) {
                    continue;
                }
                Map<Map<String, String>, Writer> keys = byTable.computeIfAbsent(change.table(), t -> new LinkedHashMap<>());
                Writer writer = new Writer(transaction, change);
                keys.putIfAbsent(change.key(), writer);
                if (change.operation() == Operation.UPDATE && change.changesKey()) {
                    // The old key of a key change is deleted.
                    keys.putIfAbsent(change.oldKey(), writer);
                }
            }
        }
        return byTable;
    }

    /** How many keys {@code byTable} holds in all. */
    static int count(SortedMap<String, Map<Map<String, String>, Writer>> byTable) {
        return byTable.values().stream().mapToInt(Map::size).sum();
    }
}
