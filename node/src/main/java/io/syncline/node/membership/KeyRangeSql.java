package io.syncline.node.membership;

import io.syncline.schema.TableKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL of one key range of a table. Key bounds are the key columns' text in a jsonb object
 * (as {@code syncline.join_copy.last_key} keeps them), written into the statement as literals:
 * {@code COPY (query)} takes no parameters.
 */
final class KeyRangeSql {

    private final TableKey key;
    private final List<String> keyTypes;
    private final List<String> columns;

    KeyRangeSql(TableKey key, List<String> keyTypes, List<String> columns) {
        this.key = key;
        this.keyTypes = keyTypes;
        this.columns = columns;
    }

    /** The {@code n}th key after {@code lower} (from the first when null), as jsonb text; no row when fewer are left. */
    String nthKeyAfter(String lower, int n) {
        String object = key.columns().stream().map(c -> literal(c) + ", x." + identifier(c) + "::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")::text"));
        // The object is built for the one row the subquery returns, not for the n - 1 rows OFFSET skips.
        return "SELECT " + object + " FROM (SELECT " + keys() + " FROM " + key.quotedName() + " x" + where(lower, null)
                + " ORDER BY " + keys() + " OFFSET " + (n - 1) + " LIMIT 1) x";
    }

    /** The rows after {@code lower} up to and including {@code upper} (no bound when null), in key order. */
    String copyOut(String lower, String upper) {
        String list = columns.stream().map(c -> "x." + identifier(c)).collect(Collectors.joining(", "));
        return "COPY (SELECT " + list + " FROM " + key.quotedName() + " x" + where(lower, upper) + " ORDER BY " + keys()
                + ") TO STDOUT (FORMAT binary)";
    }

    /** Every row of the table, in no particular order. */
    String copyOutWhole() {
        return "COPY " + key.quotedName() + " (" + columns.stream().map(KeyRangeSql::identifier)
                .collect(Collectors.joining(", ")) + ") TO STDOUT (FORMAT binary)";
    }

    String copyIn() {
        return "COPY " + key.quotedName() + " (" + columns.stream().map(KeyRangeSql::identifier)
                .collect(Collectors.joining(", ")) + ") FROM STDIN (FORMAT binary)";
    }

    private String keys() {
        return key.columns().stream().map(c -> "x." + identifier(c)).collect(Collectors.joining(", "));
    }

    private String where(String lower, String upper) {
        List<String> conditions = new ArrayList<>();
        if (lower != null) {
            conditions.add("(" + keys() + ") > (" + bound(lower) + ")");
        }
        if (upper != null) {
            conditions.add("(" + keys() + ") <= (" + bound(upper) + ")");
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private String bound(String keyJson) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < key.columns().size(); i++) {
            values.add("(" + literal(keyJson) + "::jsonb ->> " + literal(key.columns().get(i)) + ")::" + keyTypes.get(i));
        }
        return String.join(", ", values);
    }

    /** {@code name} as a quoted SQL identifier. */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** {@code value} as a quoted SQL string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
