package io.syncline.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the listing commands ({@code conflicts list}, {@code parked}, {@code quarantined}) share: each
 * row of one query becomes an entry of named values, printed as JSON for scripts or as a table.
 * Stateless.
 */
final class Listing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Listing() {}

    /** Copies the columns of the current row into {@code entry}, in the order they should print. */
    interface RowReader {
        void read(ResultSet row, Map<String, Object> entry) throws SQLException;
    }

    /** Every row {@code select} returns, as an entry. */
    static List<Map<String, Object>> read(PreparedStatement select, RowReader reader) throws SQLException {
        List<Map<String, Object>> entries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                reader.read(rows, entry);
                entries.add(entry);
            }
        }
        return entries;
    }

    /** A json or jsonb column's text as a tree, so that it prints as JSON rather than as a string; null stays null. */
    static JsonNode tree(String json) {
        try {
            return json == null ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the database returned a json value that does not parse: " + json, e);
        }
    }

    /** {@code document} as indented JSON on one document. */
    static void printJson(PrintWriter out, Object document) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the listing as JSON", e);
        }
    }

    /** The entries as a table: one header line, then one line per entry with the values of {@code keys}. */
    static void printTable(PrintWriter out, String format, List<String> headers, List<String> keys,
            List<Map<String, Object>> entries) {
        out.printf(format, headers.toArray());
        for (Map<String, Object> entry : entries) {
            out.printf(format, keys.stream().map(k -> entry.get(k) == null ? "-" : entry.get(k)).toArray());
        }
    }
}
