package io.syncline.schema;

import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.OnError;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tables a node replicates: those of its config ({@code tables:}), and those that joined
 * replication while the nodes ran ({@code syncline ddl} of a {@code CREATE TABLE}, kept in
 * {@link ReplicationSchema#REPLICATED_TABLE_TABLE}). The config stays the source of the policies: a
 * table it names keeps its own rule, one it does not name replicates under the default rule.
 * The database is the source of the set: {@link #refresh} reads what the table holds now, and a
 * table is only ever added, never removed, while the node runs. Thread-safe.
 */
public final class ReplicatedTables {

    /** A table added while the nodes ran, and the schema change that added it. */
    public record Added(TableName table, String originNode, long schemaChangeId) {}

    /** Where an added table's settings come from, for messages that name a table's origin. */
    private static final ConfigLocation ADDED_AT = new ConfigLocation(Path.of(ReplicationSchema.REPLICATED_TABLE_TABLE), 1, 1);

    private final Map<TableName, TableConfig> configured = new LinkedHashMap<>();
    private final ConflictRule defaultRule;
    private final Map<TableName, Added> added = new ConcurrentHashMap<>();

    /**
     * @param configured  the tables of the node's config
     * @param defaultRule the config's default conflict rule, for added tables
     */
    public ReplicatedTables(List<TableConfig> configured, ConflictRule defaultRule) {
        configured.forEach(t -> this.configured.put(t.name(), t));
        this.defaultRule = Objects.requireNonNull(defaultRule, "defaultRule");
    }

    /**
     * Reads {@link ReplicationSchema#REPLICATED_TABLE_TABLE} through {@code connection} (its
     * transaction's view) and keeps what it had not seen.
     *
     * @return the tables seen for the first time, in the order they were added
     */
    public List<Added> refresh(Connection connection) throws SQLException {
        List<Added> fresh = new ArrayList<>();
        for (Added table : read(connection)) {
            if (added.putIfAbsent(table.table(), table) == null) {
                fresh.add(table);
            }
        }
        return fresh;
    }

    /** The added tables as the database holds them, in the order they were added. */
    public static List<Added> read(Connection connection) throws SQLException {
        List<Added> tables = new ArrayList<>();
        try (PreparedStatement exists = connection.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            exists.setString(1, ReplicationSchema.REPLICATED_TABLE_TABLE);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    // Initialised by a version without it: nothing was added.
                    return tables;
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT table_name, origin_node, schema_change_id FROM "
                + ReplicationSchema.REPLICATED_TABLE_TABLE + " ORDER BY added_at, table_name");
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                int dot = name.indexOf('.');
                tables.add(new Added(new TableName(name.substring(0, dot), name.substring(dot + 1)), rs.getString(2),
                        rs.getLong(3)));
            }
        }
        return tables;
    }

    /** Records {@code table} as added by schema change {@code schemaChangeId} of {@code originNode}, in the caller's transaction. */
    public static void register(Connection connection, TableName table, String originNode, long schemaChangeId)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ReplicationSchema.REPLICATED_TABLE_TABLE
                + " (table_name, origin_node, schema_change_id) VALUES (?, ?, ?) ON CONFLICT (table_name) DO NOTHING")) {
            insert.setString(1, table.qualified());
            insert.setString(2, originNode);
            insert.setLong(3, schemaChangeId);
            insert.executeUpdate();
        }
    }

    /** Whether {@code table} replicates, as far as this instance has seen. */
    public boolean contains(TableName table) {
        return configured.containsKey(table) || added.containsKey(table);
    }

    /** The settings of {@code table}: its config entry, or the default rule for an added one; null when it does not replicate. */
    public TableConfig config(TableName table) {
        return contains(table) ? settings(table) : null;
    }

    /** The settings {@code table} replicates with once it joins: its config entry, or else the default rule. */
    public TableConfig settings(TableName table) {
        TableConfig config = configured.get(table);
        return config != null ? config : new TableConfig(table, defaultRule, List.of(), ADDED_AT, OnError.PARK);
    }

    /** Every replicated table: the config's, then the added ones the config does not name. */
    public List<TableConfig> all() {
        List<TableConfig> all = new ArrayList<>(configured.values());
        notInConfig().forEach(a -> all.add(config(a.table())));
        return all;
    }

    /** The added tables that the config does not name (yet): each should be added to {@code tables:}. */
    public List<Added> notInConfig() {
        return added.values().stream().filter(a -> !configured.containsKey(a.table()))
                .sorted(java.util.Comparator.comparing((Added a) -> a.table().qualified())).toList();
    }
}
