package io.syncline.schema;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.TableConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.schema.TableObjectNames;
import io.syncline.core.schema.UnreplicableColumns;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs what a node needs in its own database ({@code syncline init}): the {@code syncline}
 * schema, the row-version columns and triggers on every replicated table, and the publication
 * the capture reads. Idempotent, and done in one transaction: either all of it or none.
 */
public final class ReplicationSchemaInstaller {

    private static final Logger log = LoggerFactory.getLogger(ReplicationSchemaInstaller.class);

    private static final String PUBLISH_VIA_ROOT = "publish_via_partition_root = true";

    private final String nodeId;

    public ReplicationSchemaInstaller(String nodeId) {
        this.nodeId = nodeId;
    }

    /**
     * Installs everything for {@code tables} (schema-qualified names).
     *
     * @throws SchemaException if a table does not exist, has no primary key, has a column whose
     *                         values cannot be replicated exactly, is a partition of another
     *                         replicated table, or would share a trigger function with another table
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
     * @throws SchemaException if a table does not exist, has no primary key, has a column whose
     *                         values cannot be replicated exactly, is a partition of another
     *                         replicated table, or would share a trigger function with another table
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
            // Syncline's own DDL is not reported as a change made outside syncline ddl.
            statement.execute("SELECT pg_catalog.set_config('syncline.managed_ddl', 'on', true)");
            statement.execute(TableTriggers.resource("base.sql"));
            warnWithoutDdlWatch(statement);
            try (PreparedStatement identity = connection.prepareStatement("INSERT INTO " + ReplicationSchema.CAPTURE_IDENTITY_TABLE
                    + " (node_id, epoch) VALUES (?, 1) ON CONFLICT (node_id) DO NOTHING")) {
                identity.setString(1, nodeId);
                identity.executeUpdate();
            }
            TableObjectRegistry registry = new TableObjectRegistry(connection);
            List<Table> checked = readTables(connection, registry, tables);
            Set<Long> previousFunctions = new LinkedHashSet<>(
                    registry.functionsInUse(checked.stream().map(t -> t.key().quotedName()).toList()));
            previousFunctions.addAll(registry.forgetDroppedTables());
            installTriggers(connection, statement, registry, checked, configs);
            List<String> dropped = registry.dropUnused(previousFunctions);
            for (String sql : publicationSql(connection, checked.stream().map(Table::key).toList())) {
                statement.execute(sql);
            }
            connection.commit();
            if (!dropped.isEmpty()) {
                log.info("[{}] dropped trigger functions no trigger calls any more (an older naming or a dropped table): {}",
                        nodeId, dropped);
            }
            log.info("[{}] replication schema installed for {} table(s)", nodeId, checked.size());
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private void installTriggers(Connection connection, Statement statement, TableObjectRegistry registry, List<Table> tables,
            Map<String, TableConfig> configs) throws SQLException {
        for (Table table : tables) {
            TableKey key = table.key();
            TableConfig config = configs.get(key.qualifiedName());
            TableTriggers triggers = new TableTriggers(key, table.names(), TableTriggers.keyEquality(connection, key), nodeId);
            statement.execute(triggers.sql(deltaColumns(connection, key, config),
                    config != null && config.conflict().policy() == ConflictPolicy.COLUMN_MERGE));
            for (String partition : Partitions.of(connection, key)) {
                statement.execute(triggers.partitionTruncateGuard(partition));
            }
            registry.record(table.names());
        }
    }

    /**
     * Creates the triggers of {@code tables} again after a schema change, in the caller's transaction
     * and without committing it: their functions follow the columns (a new numeric column of a
     * {@code delta} table is a counter too). The publication is left as it is.
     *
     * @throws SchemaException if a table no longer meets what {@link #installConfigured} checks
     */
    public void reinstallTriggers(Connection connection, List<TableConfig> tables) throws SQLException {
        Map<String, TableConfig> configs = new java.util.LinkedHashMap<>();
        tables.forEach(t -> configs.put(t.name().qualified(), t));
        TableObjectRegistry registry = new TableObjectRegistry(connection);
        try (Statement statement = connection.createStatement()) {
            installTriggers(connection, statement, registry, readTables(connection, registry, List.copyOf(configs.keySet())),
                    configs);
        }
    }

    /**
     * Makes {@code tables}, created in the caller's transaction, join replication there: their
     * row-version columns and triggers, and their place in the capture's publication, without
     * committing. A publication's tables are read by the walsender at each change's place in the WAL,
     * so the capture sends the tables' rows from this transaction's commit on.
     *
     * @throws SchemaException if a table does not meet what {@link #installConfigured} checks
     */
    public void joinReplication(Connection connection, List<TableConfig> tables) throws SQLException {
        reinstallTriggers(connection, tables);
        String publication = ReplicationSchema.publicationName(nodeId);
        try (Statement statement = connection.createStatement();
                PreparedStatement published = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_publication_rel r"
                        + " JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid WHERE p.pubname = ? AND r.prrelid = ?::regclass")) {
            for (TableConfig table : tables) {
                String quoted = TableKey.read(connection, table.name().qualified()).quotedName();
                published.setString(1, publication);
                published.setString(2, quoted);
                try (ResultSet rs = published.executeQuery()) {
                    if (!rs.next()) {
                        statement.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + quoted);
                    }
                }
            }
        }
    }

    private void warnWithoutDdlWatch(Statement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'syncline_watch_ddl'")) {
            if (!rs.next()) {
                log.warn("[{}] schema changes of replicated tables made outside syncline ddl will not be reported: the event"
                        + " trigger syncline_watch_ddl takes a superuser to create; run syncline init once as a superuser", nodeId);
            }
        }
    }

    /** A table to install, with the names of its functions. */
    private record Table(TableKey key, TableObjectNames names) {}

    /**
     * Reads every table to install and checks it: key, column types, partitions, function names.
     *
     * @throws SchemaException with every problem found, one per line
     */
    private static List<Table> readTables(Connection connection, TableObjectRegistry registry, List<String> tables)
            throws SQLException {
        List<String> problems = new ArrayList<>();
        List<TableKey> keys = new ArrayList<>();
        for (String table : tables) {
            try {
                TableKey key = TableKey.read(connection, table);
                keys.add(key);
                List<String> unreplicable = UnreplicableColumns.of(connection, key.quotedName());
                if (!unreplicable.isEmpty()) {
                    problems.add(UnreplicableColumns.problem(key.qualifiedName(), unreplicable));
                }
            } catch (SchemaException e) {
                problems.add(e.getMessage());
            }
        }
        problems.addAll(Partitions.nestedInReplicated(connection, keys));
        List<TableObjectNames> names = keys.stream().map(k -> TableObjectNames.of(k.schema(), k.table())).toList();
        problems.addAll(TableObjectRegistry.collisions(names));
        problems.addAll(registry.collisionsWithInstalled(names));
        if (!problems.isEmpty()) {
            throw new SchemaException(String.join("\n", problems));
        }
        List<Table> checked = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            checked.add(new Table(keys.get(i), names.get(i)));
        }
        return checked;
    }

    /** Moves this database's clock for row versions by {@code offsetMillis}; for skew tests and the demo. */
    public static void setClockOffset(Connection connection, long offsetMillis) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE FUNCTION syncline.clock_offset_ms() RETURNS bigint"
                    + " LANGUAGE sql IMMUTABLE AS $$ SELECT " + offsetMillis + "::bigint $$");
        }
    }

    /** The counter columns of a table: its {@code delta} column rules, and every numeric non-key column under a table-wide {@code delta}. */
    static List<String> deltaColumns(Connection connection, TableKey key, TableConfig config) throws SQLException {
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

    /**
     * The publication of the replicated tables and Syncline's own captured ones. It publishes the
     * changes of a partitioned table's partitions as changes of the table itself
     * ({@code publish_via_partition_root}), which is what the capture and the peers know; the
     * option is per publication and changes nothing for tables without partitions.
     */
    private List<String> publicationSql(Connection connection, List<TableKey> keys) throws SQLException {
        String publication = ReplicationSchema.publicationName(nodeId);
        List<String> published = new ArrayList<>(keys.stream().map(TableKey::quotedName).toList());
        published.addAll(ReplicationSchema.CAPTURED_OWN_TABLES);
        String tableList = String.join(", ", published);
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            exists.setString(1, publication);
            try (ResultSet rs = exists.executeQuery()) {
                return rs.next()
                        ? List.of("ALTER PUBLICATION " + publication + " SET TABLE " + tableList,
                                "ALTER PUBLICATION " + publication + " SET (" + PUBLISH_VIA_ROOT + ")")
                        : List.of("CREATE PUBLICATION " + publication + " FOR TABLE " + tableList + " WITH (" + PUBLISH_VIA_ROOT + ")");
            }
        }
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
