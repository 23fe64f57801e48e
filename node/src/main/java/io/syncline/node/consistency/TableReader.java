package io.syncline.node.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The queries {@code syncline diff} runs against one database; each is one statement, read only. */
final class TableReader {

    /** A chunk's fingerprint: how many rows it holds and the md5 of their texts in key order. */
    record ChunkHash(long rows, String md5) {}

    private TableReader() {}

    /** Every {@code chunkRows}-th key of the table, in key order: the starts of all chunks but the first. */
    static List<List<String>> boundaries(Connection connection, ComparedTable table, int chunkRows) throws SQLException {
        int keyColumns = table.key().size();
        String keyText = String.join(", ", table.key().keySet().stream().map(c -> ComparedTable.identifier(c) + "::text").toList());
        String sql = "SELECT " + keyText + " FROM (SELECT " + table.orderByKey() + ", row_number() OVER (ORDER BY "
                + table.orderByKey() + ") AS syncline_rn FROM " + table.quoted()
                + ") s WHERE syncline_rn % ? = 1 AND syncline_rn > 1 ORDER BY syncline_rn";
        List<List<String>> boundaries = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, chunkRows);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    List<String> key = new ArrayList<>(keyColumns);
                    for (int i = 1; i <= keyColumns; i++) {
                        key.add(rs.getString(i));
                    }
                    boundaries.add(key);
                }
            }
        }
        return boundaries;
    }

    static ChunkHash hash(Connection connection, ComparedTable table, KeyRange range) throws SQLException {
        String sql = "SELECT count(*), coalesce(md5(string_agg(md5(" + table.rowText() + "), '' ORDER BY " + table.orderByKey()
                + ")), '') FROM " + table.quoted() + " WHERE " + range.condition(table);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            range.bind(statement);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new ChunkHash(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /** The rows of a range: key text -> the compared columns' text, in {@link ComparedTable#columns()} order. */
    static Map<List<String>, List<String>> rows(Connection connection, ComparedTable table, KeyRange range) throws SQLException {
        String sql = "SELECT " + table.selectText() + " FROM " + table.quoted() + " WHERE " + range.condition(table)
                + " ORDER BY " + table.orderByKey();
        int keyColumns = table.key().size();
        int columns = table.columns().size();
        Map<List<String>, List<String>> rows = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            range.bind(statement);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    List<String> key = new ArrayList<>(keyColumns);
                    for (int i = 1; i <= keyColumns; i++) {
                        key.add(rs.getString(i));
                    }
                    List<String> values = new ArrayList<>(columns);
                    for (int i = keyColumns + 1; i <= keyColumns + columns; i++) {
                        values.add(rs.getString(i));
                    }
                    rows.put(key, values);
                }
            }
        }
        return rows;
    }
}
