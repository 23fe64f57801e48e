package io.syncline.lab.demo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares replicated tables across databases row by row: every row, including its
 * replication metadata (clock, node, version vector), must be identical everywhere.
 */
public final class ConvergenceCheck {

    /**
     * @param rowsCompared   distinct primary keys seen across all databases, summed over tables
     * @param mismatchedRows keys whose row differs between some two databases or is missing in one
     * @param examples       up to ten mismatches, for the report
     */
    public record Result(long rowsCompared, long mismatchedRows, List<String> examples) {
        public boolean converged() {
            return mismatchedRows == 0;
        }
    }

    private ConvergenceCheck() {}

    /**
     * @param databases open connections, one per datacenter, in a stable order
     * @param tables    schema-qualified table names with their key column, e.g. {@code demo.accounts -> id}
     */
    public static Result compare(List<Connection> databases, Map<String, String> tables) throws SQLException {
        long compared = 0;
        long mismatched = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, String> table : tables.entrySet()) {
            List<Map<String, String>> snapshots = new ArrayList<>();
            for (Connection database : databases) {
                snapshots.add(snapshot(database, table.getKey(), table.getValue()));
            }
            TreeMap<String, Boolean> keys = new TreeMap<>();
            snapshots.forEach(s -> s.keySet().forEach(k -> keys.put(k, true)));
            compared += keys.size();
            for (String key : keys.keySet()) {
                String first = snapshots.get(0).get(key);
                for (int i = 1; i < snapshots.size(); i++) {
                    if (!Objects.equals(first, snapshots.get(i).get(key))) {
                        mismatched++;
                        if (examples.size() < 10) {
                            examples.add(table.getKey() + " key " + key + ": db0=" + first + " db" + i + "=" + snapshots.get(i).get(key));
                        }
                        break;
                    }
                }
            }
        }
        return new Result(compared, mismatched, examples);
    }

    private static Map<String, String> snapshot(Connection database, String table, String keyColumn) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        String sql = "SELECT " + keyColumn + "::text, t::text FROM " + table + " t";
        try (Statement statement = database.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }
}
