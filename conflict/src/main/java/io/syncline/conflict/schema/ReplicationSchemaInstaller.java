package io.syncline.conflict.schema;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.TableConfig;
import io.syncline.core.schema.ReplicationSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs what a node needs in its own database ({@code syncline init}): the {@code syncline}
 * schema, the row-version columns and triggers on every replicated table, and the publication
 * the capture reads. Idempotent, and done in one transaction: either all of it or none.
 */
public final class ReplicationSchemaInstaller {

    private static final Logger log = LoggerFactory.getLogger(ReplicationSchemaInstaller.class);

    private final String nodeId;

    public ReplicationSchemaInstaller(String nodeId) {
        this.nodeId = nodeId;
    }

    /**
     * Installs everything for {@code tables} (schema-qualified names).
     *
     * @throws SchemaException if a table does not exist or has no primary key
     */
    public void install(Connection connection, List<String> tables) throws SQLException {
        install(connection, tables, Map.of());
    }

    /**
     * Installs everything for the configured {@code tables}; the triggers keep the merge metadata
     * their conflict policies need: per-node contributions for {@code delta} columns (a table's
     * {@code delta} makes every numeric non-key column a counter), column dots for
     * {@code column-merge} tables.
     *
     * @throws SchemaException if a table does not exist or has no primary key
     */
    public void installConfigured(Connection connection, List<TableConfig> tables) throws SQLException {
        Map<String, TableConfig> configs = new java.util.LinkedHashMap<>();
        tables.forEach(t -> configs.put(t.name().qualified(), t));
        install(connection, List.copyOf(configs.keySet()), configs);
    }

    /**
     * The row triggers run as the role that installs them and ask, in every writer's session,
     * whether it applies remote changes ({@code pg_replication_origin_session_is_setup()}, which
     * PostgreSQL grants to superusers only): without that right every write to a replicated table
     * would fail, so the installation is refused first.
     */
    private static void requireOriginCheck(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_user,"
                        + " has_function_privilege('pg_replication_origin_session_is_setup()', 'EXECUTE')")) {
            rs.next();
            if (!rs.getBoolean(2)) {
                String role = rs.getString(1);
                throw new SchemaException("role " + role + " may not call pg_replication_origin_session_is_setup(), which the"
                        + " row triggers call in every writer's session: GRANT EXECUTE ON FUNCTION"
                        + " pg_replication_origin_session_is_setup() TO " + role + " (or run syncline init as a superuser)");
            }
        }
    }

    private void install(Connection connection, List<String> tables, Map<String, TableConfig> configs) throws SQLException {
        requireOriginCheck(connection);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute(resource("base.sql"));
            try (PreparedStatement identity = connection.prepareStatement("INSERT INTO " + ReplicationSchema.CAPTURE_IDENTITY_TABLE
                    + " (node_id, epoch) VALUES (?, 1) ON CONFLICT (node_id) DO NOTHING")) {
                identity.setString(1, nodeId);
                identity.executeUpdate();
            }
            List<String> problems = new ArrayList<>();
            List<TableKey> keys = new ArrayList<>();
            for (String table : tables) {
                try {
                    keys.add(TableKey.read(connection, table));
                } catch (SchemaException e) {
                    problems.add(e.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new SchemaException(String.join("\n", problems));
            }
            for (TableKey key : keys) {
                TableConfig config = configs.get(key.qualifiedName());
                statement.execute(tableSql(key, deltaColumns(connection, key, config),
                        config != null && config.conflict().policy() == ConflictPolicy.COLUMN_MERGE));
            }
            statement.execute(publicationSql(connection, keys));
            connection.commit();
            log.info("[{}] replication schema installed for {} table(s)", nodeId, keys.size());
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Moves this database's clock for row versions by {@code offsetMillis}; for skew tests and the demo. */
    public static void setClockOffset(Connection connection, long offsetMillis) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE FUNCTION syncline.clock_offset_ms() RETURNS bigint"
                    + " LANGUAGE sql IMMUTABLE AS $$ SELECT " + offsetMillis + "::bigint $$");
        }
    }

    /** The counter columns of a table: its {@code delta} column rules, and every numeric non-key column under a table-wide {@code delta}. */
    private static List<String> deltaColumns(Connection connection, TableKey key, TableConfig config) throws SQLException {
        if (config == null) {
            return List.of();
        }
        java.util.Set<String> columns = new java.util.TreeSet<>();
        config.columnRules().stream()
                .filter(c -> c.rule().policy() == ConflictPolicy.DELTA)
                .forEach(c -> columns.add(c.column()));
        if (config.conflict().policy() == ConflictPolicy.DELTA) {
            try (PreparedStatement numeric = connection.prepareStatement(
                    "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0"
                    + " AND NOT a.attisdropped AND a.attgenerated = '' AND a.atttypid IN ('smallint'::regtype,"
                    + " 'integer'::regtype, 'bigint'::regtype, 'numeric'::regtype, 'real'::regtype,"
                    + " 'double precision'::regtype)")) {
                numeric.setString(1, key.quotedName());
                try (ResultSet rs = numeric.executeQuery()) {
                    while (rs.next()) {
                        if (!key.columns().contains(rs.getString(1))) {
                            columns.add(rs.getString(1));
                        }
                    }
                }
            }
        }
        return List.copyOf(columns);
    }

    private String tableSql(TableKey key, List<String> deltaColumns, boolean columnDots) {
        String pkNew = key.columns().stream()
                .map(c -> literal(c) + ", NEW." + identifier(c) + "::text")
                .collect(Collectors.joining(", ", "jsonb_build_object(", ")"));
        String pkOld = pkNew.replace("NEW.", "OLD.");
        String pkChanged = "ROW(" + prefixed("NEW.", key.columns()) + ") IS DISTINCT FROM ROW(" + prefixed("OLD.", key.columns()) + ")";
        StringBuilder counters = new StringBuilder();
        if (!deltaColumns.isEmpty()) {
            // delta columns: this node's cumulative contribution (new - old) to each counter, a PN-counter.
            counters.append("    IF same_row THEN\n        previous_counters := OLD.syncline_delta;\n    END IF;\n");
            counters.append("    NEW.syncline_delta := previous_counters");
            for (String column : deltaColumns) {
                String name = literal(column);
                String path = "previous_counters -> " + name;
                counters.append("\n        || jsonb_build_object(").append(name).append(", coalesce(").append(path)
                        .append(", '{}') || jsonb_build_object(").append(literal(nodeId)).append(", (coalesce((").append(path)
                        .append(" ->> ").append(literal(nodeId)).append(")::numeric, 0) + coalesce(NEW.")
                        .append(identifier(column)).append("::numeric, 0) - CASE WHEN same_row THEN coalesce(OLD.")
                        .append(identifier(column)).append("::numeric, 0) ELSE 0 END)::text))");
            }
            counters.append(";");
        } else {
            counters.append("    NEW.syncline_delta := '{}'::jsonb;");
        }
        // column-merge: the dot [node, counter, hlc] of this write on every column it changed.
        String dots = columnDots
                ? "    new_dot := jsonb_build_array(" + literal(nodeId) + ", (NEW.syncline_vv ->> " + literal(nodeId)
                + ")::bigint, NEW.syncline_hlc);\n"
                + "    IF same_row THEN\n"
                + "        NEW.syncline_dots := OLD.syncline_dots || coalesce((SELECT jsonb_object_agg(n.key, new_dot)\n"
                + "              FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o ON o.key = n.key\n"
                + "             WHERE n.value IS DISTINCT FROM o.value AND n.key NOT LIKE 'syncline\\_%'), '{}');\n"
                + "    ELSE\n"
                + "        NEW.syncline_dots := coalesce((SELECT jsonb_object_agg(k, new_dot)\n"
                + "              FROM jsonb_object_keys(to_jsonb(NEW)) k WHERE k NOT LIKE 'syncline\\_%'), '{}');\n"
                + "    END IF;"
                : "    NEW.syncline_dots := '{}'::jsonb;";
        String pkMatchNew = key.columns().stream()
                .map(c -> identifier(c) + " = NEW." + identifier(c))
                .collect(Collectors.joining(" AND "));
        Map<String, String> values = Map.of(
                "{{pk_match_new}}", pkMatchNew,
                "{{table}}", key.quotedName(),
                "{{counters}}", counters.toString(),
                "{{dots}}", dots,
                "{{table_name}}", literal(key.qualifiedName()),
                "{{fn}}", functionStem(key.qualifiedName()),
                "{{node}}", literal(nodeId),
                "{{pk_new}}", pkNew,
                "{{pk_old}}", pkOld,
                "{{pk_changed}}", pkChanged);
        String sql = resource("table.sql");
        for (Map.Entry<String, String> entry : values.entrySet()) {
            sql = sql.replace(entry.getKey(), entry.getValue());
        }
        return sql;
    }

    private String publicationSql(Connection connection, List<TableKey> keys) throws SQLException {
        String publication = ReplicationSchema.publicationName(nodeId);
        List<String> published = new ArrayList<>(keys.stream().map(TableKey::quotedName).toList());
        published.addAll(ReplicationSchema.CAPTURED_OWN_TABLES);
        String tableList = String.join(", ", published);
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            exists.setString(1, publication);
            try (ResultSet rs = exists.executeQuery()) {
                return rs.next()
                        ? "ALTER PUBLICATION " + publication + " SET TABLE " + tableList
                        : "CREATE PUBLICATION " + publication + " FOR TABLE " + tableList;
            }
        }
    }

    private static String prefixed(String prefix, List<String> columns) {
        return columns.stream().map(c -> prefix + identifier(c)).collect(Collectors.joining(", "));
    }

    private static String functionStem(String qualifiedName) {
        return qualifiedName.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(java.util.Locale.ROOT);
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String resource(String name) {
        try (InputStream in = ReplicationSchemaInstaller.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
