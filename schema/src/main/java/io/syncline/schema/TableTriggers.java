package io.syncline.schema;

import static io.syncline.schema.ReplicationSchemaInstaller.identifier;
import static io.syncline.schema.ReplicationSchemaInstaller.literal;

import io.syncline.core.schema.TableObjectNames;
import io.syncline.core.schema.TableObjectNames.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The SQL that gives one replicated table its row-version columns, trigger functions and
 * triggers ({@code table.sql}). Every function call in it is schema-qualified and every key
 * comparison names its operator's schema, because the functions run as their owner with
 * {@code search_path = pg_catalog, pg_temp} (see {@code table.sql}).
 */
final class TableTriggers {

    private static final String TEMPLATE = resource("table.sql");

    private final TableKey key;
    private final TableObjectNames names;
    private final List<String> keyEquality;
    private final String nodeId;

    /**
     * @param keyEquality per key column, in key order, the equality operator of the primary-key
     *                    index as {@code OPERATOR(schema.=)} ({@link #keyEquality(Connection, TableKey)})
     */
    TableTriggers(TableKey key, TableObjectNames names, List<String> keyEquality, String nodeId) {
        if (keyEquality.size() != key.columns().size()) {
            throw new IllegalArgumentException(key.qualifiedName() + ": " + keyEquality.size() + " operators for "
                    + key.columns().size() + " key columns");
        }
        this.key = key;
        this.names = names;
        this.keyEquality = List.copyOf(keyEquality);
        this.nodeId = nodeId;
    }

    /**
     * The equality operator of each primary-key column's operator class (btree strategy 3,
     * PostgreSQL manual, "Index Method Strategies"), in key order: the operator the key index itself
     * compares with, wherever its type was defined.
     */
    static List<String> keyEquality(Connection connection, TableKey key) throws SQLException {
        String sql = """
                SELECT pg_catalog.quote_ident(n.nspname), o.oprname
                  FROM pg_catalog.pg_index i
                 CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, ord)
                  JOIN pg_catalog.pg_opclass c ON c.oid = k.opclass
                  JOIN pg_catalog.pg_amop a ON a.amopfamily = c.opcfamily AND a.amoplefttype = c.opcintype
                       AND a.amoprighttype = c.opcintype AND a.amopstrategy = 3
                  JOIN pg_catalog.pg_operator o ON o.oid = a.amopopr
                  JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
                 WHERE i.indrelid = ?::regclass AND i.indisprimary
                 ORDER BY k.ord""";
        List<String> operators = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, key.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    operators.add("OPERATOR(" + rs.getString(1) + "." + rs.getString(2) + ")");
                }
            }
        }
        if (operators.size() != key.columns().size()) {
            throw new SchemaException("table " + key.qualifiedName() + ": the equality operators of its primary key "
                    + key.columns() + " cannot be found in the catalog (found " + operators.size() + ")");
        }
        return operators;
    }

    /**
     * The SQL of the table's columns, functions and triggers; run it again to replace them.
     *
     * @param deltaColumns counter columns whose per-node contributions the stamp keeps
     * @param columnDots   whether the stamp keeps column dots (column-merge tables)
     */
    String sql(List<String> deltaColumns, boolean columnDots) {
        String pkNew = key.columns().stream()
                .map(c -> literal(c) + ", NEW." + identifier(c) + "::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
        String pkOld = pkNew.replace("NEW.", "OLD.");
        // Key columns are NOT NULL, so equality decides whether the key changed.
        String pkChanged = "NOT (" + compareKey("NEW.", "OLD.") + ")";
        Map<String, String> values = new LinkedHashMap<>();
        values.put("{{pk_match_new}}", compareKey("", "NEW."));
        values.put("{{table}}", key.quotedName());
        values.put("{{counters}}", counters(deltaColumns));
        values.put("{{dots}}", dots(columnDots));
        values.put("{{table_name}}", literal(key.qualifiedName()));
        values.put("{{stamp_fn}}", names.qualifiedFunction(Kind.STAMP));
        values.put("{{restamp_fn}}", names.qualifiedFunction(Kind.RESTAMP));
        values.put("{{tombstone_fn}}", names.qualifiedFunction(Kind.TOMBSTONE));
        values.put("{{truncate_fn}}", names.qualifiedFunction(Kind.TRUNCATE));
        values.put("{{node}}", literal(nodeId));
        values.put("{{pk_new}}", pkNew);
        values.put("{{pk_old}}", pkOld);
        values.put("{{pk_changed}}", pkChanged);
        String sql = TEMPLATE;
        for (Map.Entry<String, String> entry : values.entrySet()) {
            sql = sql.replace(entry.getKey(), entry.getValue());
        }
        return sql;
    }

    /** The TRUNCATE guard on one partition ({@code quotedPartition}) of this table. */
    String partitionTruncateGuard(String quotedPartition) {
        String trigger = Kind.TRUNCATE.triggerName();
        return "DROP TRIGGER IF EXISTS " + trigger + " ON " + quotedPartition + ";\n"
                + "CREATE TRIGGER " + trigger + " BEFORE TRUNCATE ON " + quotedPartition
                + " FOR EACH STATEMENT EXECUTE FUNCTION " + names.qualifiedFunction(Kind.TRUNCATE) + ";\n";
    }

    /** {@code left.k1 OPERATOR(s.=) right.k1 AND ...}; an empty prefix names the table's own column. */
    private String compareKey(String left, String right) {
        return IntStream.range(0, key.columns().size())
                .mapToObj(i -> left + identifier(key.columns().get(i)) + " " + keyEquality.get(i) + " "
                        + right + identifier(key.columns().get(i)))
                .collect(Collectors.joining(" AND "));
    }

    /** Delta columns: this node's cumulative contribution (new - old) to each counter, a PN-counter. */
    private String counters(List<String> deltaColumns) {
        if (deltaColumns.isEmpty()) {
            return "    NEW.syncline_delta := '{}'::jsonb;";
        }
        StringBuilder counters = new StringBuilder();
        counters.append("    IF same_row THEN\n        previous_counters := OLD.syncline_delta;\n    END IF;\n");
        counters.append("    NEW.syncline_delta := previous_counters");
        for (String column : deltaColumns) {
            String name = literal(column);
            String path = "previous_counters -> " + name;
            counters.append("\n        || pg_catalog.jsonb_build_object(").append(name).append(", coalesce(").append(path)
                    .append(", '{}') || pg_catalog.jsonb_build_object(").append(literal(nodeId)).append(", (coalesce((")
                    .append(path).append(" ->> ").append(literal(nodeId)).append(")::numeric, 0) + coalesce(NEW.")
                    .append(identifier(column)).append("::numeric, 0) - CASE WHEN same_row THEN coalesce(OLD.")
                    .append(identifier(column)).append("::numeric, 0) ELSE 0 END)::text))");
        }
        return counters.append(";").toString();
    }

    /** Column-merge: the dot [node, counter, hlc] of this write on every column it changed. */
    private String dots(boolean columnDots) {
        if (!columnDots) {
            return "    NEW.syncline_dots := '{}'::jsonb;";
        }
        return "    new_dot := pg_catalog.jsonb_build_array(" + literal(nodeId) + ", (NEW.syncline_vv ->> " + literal(nodeId)
                + ")::bigint, NEW.syncline_hlc);\n"
                + "    IF same_row THEN\n"
                + "        NEW.syncline_dots := OLD.syncline_dots || coalesce((SELECT pg_catalog.jsonb_object_agg(n.key, new_dot)\n"
                + "              FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(NEW)) n\n"
                + "              JOIN pg_catalog.jsonb_each(pg_catalog.to_jsonb(OLD)) o ON o.key = n.key\n"
                + "             WHERE n.value IS DISTINCT FROM o.value AND n.key NOT LIKE 'syncline\\_%'), '{}');\n"
                + "    ELSE\n"
                + "        NEW.syncline_dots := coalesce((SELECT pg_catalog.jsonb_object_agg(k, new_dot)\n"
                + "              FROM pg_catalog.jsonb_object_keys(pg_catalog.to_jsonb(NEW)) k WHERE k NOT LIKE 'syncline\\_%'), '{}');\n"
                + "    END IF;";
    }

    static String resource(String name) {
        try (InputStream in = TableTriggers.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
