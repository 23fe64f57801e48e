package io.syncline.node.consistency;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One key whose row is not the same at every compared node.
 *
 * @param table the table, schema-qualified
 * @param key   the key columns' text, in key order
 * @param rows  node -> the row's compared columns as text ({@link ComparedTable#columns()} order), or
 *              {@code null} where the node has no row with this key; every compared node is present
 */
public record KeyDifference(String table, List<String> key, Map<String, List<String>> rows) {

    /** E.g. {@code missing at dc-b} or {@code differs (dc-a, dc-b)}. */
    public String kind() {
        List<String> missing = new ArrayList<>();
        rows.forEach((node, row) -> {
            if (row == null) {
                missing.add(node);
            }
        });
        return missing.isEmpty() ? "differs" : "missing at " + String.join(", ", missing);
    }

    @Override
    public String toString() {
        return table + " key (" + String.join(", ", key) + "): " + kind();
    }
}
