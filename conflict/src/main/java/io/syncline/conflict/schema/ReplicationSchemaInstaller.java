package io.syncline.conflict.schema;

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
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute(resource("base.sql"));
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
                statement.execute(tableSql(key));
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

    private String tableSql(TableKey key) {
        String pkNew = key.columns().stream()
                .map(c -> literal(c) + ", NEW." + identifier(c) + "::text")
                .collect(Collectors.joining(", ", "jsonb_build_object(", ")"));
        String pkOld = pkNew.replace("NEW.", "OLD.");
        String pkChanged = "ROW(" + prefixed("NEW.", key.columns()) + ") IS DISTINCT FROM ROW(" + prefixed("OLD.", key.columns()) + ")";
        Map<String, String> values = Map.of(
                "{{table}}", key.quotedName(),
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
        String tableList = keys.stream().map(TableKey::quotedName).collect(Collectors.joining(", "));
        tableList = tableList.isEmpty() ? ReplicationSchema.TOMBSTONE_TABLE : tableList + ", " + ReplicationSchema.TOMBSTONE_TABLE;
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
