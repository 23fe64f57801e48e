package io.syncline.schema.ddl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import io.syncline.schema.ReplicationSchemaInstaller;
import io.syncline.schema.SchemaException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a schema change at this node ({@code syncline ddl}) so that it travels to every DC: the
 * statements, the triggers made again for the changed tables, and a row of
 * {@link ReplicationSchema#SCHEMA_CHANGE_TABLE} that the capture publishes, all in one local
 * transaction. The change is judged by what it did to the catalog ({@link SchemaDiff},
 * {@link DdlRules}) before anything commits: a refused change, or one that also writes rows of a
 * replicated table, is rolled back whole. Not thread-safe.
 */
public final class SchemaChangeRunner {

    /** Set in the command's transaction, so that the DDL watch knows this change travels. */
    public static final String MANAGED_SETTING = "syncline.managed_ddl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String nodeId;
    private final List<TableConfig> tables;
    private final ConflictRule defaultRule;

    /**
     * @param tables      the node's replicated tables, as configured; those added since
     *                    ({@link ReplicatedTables}) are read from the database
     * @param defaultRule the config's default conflict rule, which a table this change creates replicates with
     */
    public SchemaChangeRunner(String nodeId, List<TableConfig> tables, ConflictRule defaultRule) {
        this.nodeId = nodeId;
        this.tables = List.copyOf(tables);
        this.defaultRule = defaultRule;
    }

    /**
     * What a run did.
     *
     * @param verdicts      each change found in the catalog, with its verdict
     * @param rowsWritten   replicated tables whose rows the statements wrote (refused: run data changes apart)
     * @param failure       the database's error for a statement that failed, else null
     * @param id            the change's id in {@link ReplicationSchema#SCHEMA_CHANGE_TABLE} when committed, else -1
     */
    public record Result(List<DdlRules.Verdict> verdicts, List<String> rowsWritten, String failure, long id) {
        public boolean committed() {
            return id >= 0;
        }

        public List<DdlRules.Verdict> refused() {
            return verdicts.stream().filter(v -> !v.accepted()).toList();
        }
    }

    /**
     * Runs {@code statements} in one transaction of {@code connection} and commits them with their
     * record, or rolls everything back when a statement fails, a change is refused, the statements
     * changed no replicated table, or {@code dryRun} is asked.
     */
    public Result run(Connection connection, List<String> statements, boolean dryRun) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            CatalogReader catalog = new CatalogReader(connection);
            try (PreparedStatement managed = connection.prepareStatement("SELECT pg_catalog.set_config(?, 'on', true)")) {
                managed.setString(1, MANAGED_SETTING);
                managed.execute();
            }
            Map<TableName, TableDefinition> before = catalog.tables();
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    try {
                        statement.execute(sql);
                    } catch (SQLException e) {
                        connection.rollback();
                        return new Result(List.of(), List.of(), sql + ": " + e.getMessage(), -1);
                    }
                }
            }
            Map<TableName, TableDefinition> after = catalog.tables();
            ReplicatedTables known = new ReplicatedTables(tables, defaultRule);
            known.refresh(connection);
            Set<TableName> replicated = new LinkedHashSet<>(known.all().stream().map(TableConfig::name).toList());
            List<SchemaChange> changes = SchemaDiff.between(before, after);
            List<DdlRules.Verdict> verdicts = new ArrayList<>(DdlRules.judge(changes, replicated, history(connection, known)));
            List<TableName> created = changes.stream().filter(c -> c instanceof SchemaChange.TableCreated)
                    .map(SchemaChange::table).toList();
            Set<TableName> written = new LinkedHashSet<>(replicated);
            written.addAll(created);
            List<String> rowsWritten = rowsWritten(connection, written);
            boolean refused = verdicts.stream().anyMatch(v -> !v.accepted());
            ReplicationSchemaInstaller installer = new ReplicationSchemaInstaller(nodeId);
            if (!refused && !created.isEmpty()) {
                refused = !joinReplication(connection, installer, created.stream().map(known::settings).toList(), verdicts);
            }
            if (dryRun || refused || changes.isEmpty() || !rowsWritten.isEmpty()) {
                connection.rollback();
                return new Result(verdicts, rowsWritten, null, -1);
            }
            Set<TableName> changed = new LinkedHashSet<>(changes.stream().map(SchemaChange::table).toList());
            created.forEach(changed::remove);
            installer.reinstallTriggers(connection, known.all().stream().filter(t -> changed.contains(t.name())).toList());
            long id = record(connection, statements, Expectation.of(changes, after));
            for (TableName table : created) {
                ReplicatedTables.register(connection, table, nodeId, id);
            }
            connection.commit();
            return new Result(verdicts, rowsWritten, null, id);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Makes the tables the statements created join replication in this transaction; a table that
     * cannot (no primary key, a column type that does not replicate exactly, ...) turns its verdict
     * into a refusal.
     *
     * @return whether they joined
     */
    private static boolean joinReplication(Connection connection, ReplicationSchemaInstaller installer,
            List<TableConfig> created, List<DdlRules.Verdict> verdicts) throws SQLException {
        Savepoint before = connection.setSavepoint();
        try {
            installer.joinReplication(connection, created);
            return true;
        } catch (SchemaException e) {
            connection.rollback(before);
            String problem = e.getMessage().replace("\n", "; ");
            verdicts.replaceAll(v -> v.change() instanceof SchemaChange.TableCreated
                    ? new DdlRules.Verdict(v.change(), "the table cannot replicate: " + problem) : v);
            return false;
        }
    }

    /** The columns dropped here through {@code syncline ddl} before (read once per table), and those with a rule of their own. */
    private static DdlRules.History history(Connection connection, ReplicatedTables known) {
        Map<TableName, Set<String>> dropped = new HashMap<>();
        return new DdlRules.History() {
            @Override
            public Set<String> droppedColumns(TableName table) {
                return dropped.computeIfAbsent(table, t -> {
                    try {
                        return DroppedColumns.of(connection, t);
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot read the columns dropped from " + t + ": " + e.getMessage(), e);
                    }
                });
            }

            @Override
            public Set<String> columnsWithRules(TableName table) {
                return known.settings(table).columnRules().stream().map(ColumnRule::column)
                        .collect(java.util.stream.Collectors.toSet());
            }
        };
    }

    /** Tables of {@code tables} with rows inserted, updated or deleted in this transaction. */
    private static List<String> rowsWritten(Connection connection, Set<TableName> tables) throws SQLException {
        List<String> written = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT schemaname, relname FROM pg_catalog.pg_stat_xact_user_tables"
                        + " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0")) {
            while (rs.next()) {
                TableName table = new TableName(rs.getString(1), rs.getString(2));
                if (tables.contains(table)) {
                    written.add(table.qualified());
                }
            }
        }
        return written;
    }

    private long record(Connection connection, List<String> statements, List<Expectation> expectations) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ReplicationSchema.SCHEMA_CHANGE_TABLE
                + " (origin_node, id, statements, expectations, search_path)"
                + " VALUES (?, nextval('syncline.schema_change_id'), ?::jsonb, ?::jsonb, pg_catalog.current_setting('search_path'))"
                + " RETURNING id")) {
            insert.setString(1, nodeId);
            insert.setString(2, JSON.writeValueAsString(statements));
            insert.setString(3, JSON.writeValueAsString(expectations));
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the schema change as JSON", e);
        }
    }
}
