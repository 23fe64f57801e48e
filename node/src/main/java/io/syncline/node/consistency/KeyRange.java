package io.syncline.node.consistency;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A range of keys of one table, by the key's own order: from {@code from} (inclusive) to
 * {@code to} (exclusive); a {@code null} end is open. Keys are their columns' text.
 */
record KeyRange(List<String> from, List<String> to) {

    /** The SQL condition, e.g. {@code ROW("id") >= ROW(CAST(? AS bigint))}; {@code true} for the whole table. */
    String condition(ComparedTable table) {
        String lower = from == null ? null : table.keyRow() + " >= " + table.keyParameters();
        String upper = to == null ? null : table.keyRow() + " < " + table.keyParameters();
        if (lower == null && upper == null) {
            return "true";
        }
        return lower == null ? upper : upper == null ? lower : lower + " AND " + upper;
    }

    /** Binds the condition's parameters from index 1; returns the next free index. */
    int bind(PreparedStatement statement) throws SQLException {
        int index = 1;
        for (List<String> end : new List[] {from, to}) {
            if (end != null) {
                for (String value : end) {
                    statement.setString(index++, value);
                }
            }
        }
        return index;
    }

    @Override
    public String toString() {
        return "[" + (from == null ? "start" : String.join(",", from)) + " .. " + (to == null ? "end" : String.join(",", to)) + ")";
    }
}
