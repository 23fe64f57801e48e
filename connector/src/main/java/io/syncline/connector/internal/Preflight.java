package io.syncline.connector.internal;

import io.syncline.connector.CaptureConfig;
import io.syncline.connector.CaptureSetupException;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.schema.TableObjectNames;
import io.syncline.core.schema.UnreplicableColumns;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Checks, before the engine starts, what the capture needs from the node's database, and reports
 * every problem at once with what to do. Also reads the tables' primary keys.
 */
public final class Preflight {

    // pgoutput takes the option origin=none from PostgreSQL 16 on (logical replication docs, "origin").
    private static final int ORIGIN_FILTER_SINCE = 160000;

    // The node's appliers mark the transactions they apply with a replication origin (PostgreSQL
    // manual, "Replication Progress Tracking"), and the row triggers, which run as the role of
    // `syncline init`, ask whether a session has one; PostgreSQL grants these to superusers only.
    private static final List<String> ORIGIN_FUNCTIONS = List.of("pg_replication_origin_create(text)",
            "pg_replication_origin_oid(text)", "pg_replication_origin_session_setup(text)",
            "pg_replication_origin_session_reset()", "pg_replication_origin_xact_setup(pg_lsn, timestamptz)",
            "pg_replication_origin_session_is_setup()");

    private Preflight() {}

    /**
     * What the capture learned about the database.
     *
     * @param primaryKeys            primary-key columns in key order of every configured table
     * @param serverFiltersOrigins   whether pgoutput can leave out transactions that carry a
     *                               replication origin ({@code origin=none}, PostgreSQL 16 and later)
     * @param identity               the database's system identifier and the node's capture epoch
     * @param slotExists             whether the capture's replication slot exists
     * @param offsetsStored          whether the capture stored Debezium offsets, i.e. streamed from its slot before
     */
    public record Database(Map<String, List<String>> primaryKeys, boolean serverFiltersOrigins, OriginIdentity identity,
            boolean slotExists, boolean offsetsStored) {}

    /**
     * @throws CaptureSetupException listing every problem found
     * @throws SQLException if the database cannot be reached or queried
     */
    public static Database check(CaptureConfig config) throws SQLException {
        Properties props = credentials(config);
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> keys = new LinkedHashMap<>();
        int serverVersion;
        OriginIdentity identity = null;
        boolean slotExists;
        boolean offsetsStored = false;
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), props)) {
            serverVersion = Integer.parseInt(single(c, "SHOW server_version_num"));
            String walLevel = single(c, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                problems.add("wal_level is '" + walLevel + "', the capture needs logical decoding:"
                        + " set wal_level=logical in postgresql.conf and restart PostgreSQL");
            }
            if (!"t".equals(single(c, "SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = current_user"))) {
                problems.add("role " + config.databaseUser() + " may not stream changes: run ALTER ROLE "
                        + config.databaseUser() + " REPLICATION (or use a superuser)");
            }
            List<String> denied = new ArrayList<>();
            for (String function : ORIGIN_FUNCTIONS) {
                if (!"t".equals(single(c, "SELECT has_function_privilege(?, 'EXECUTE')::text::char", function))) {
                    denied.add(function);
                }
            }
            if (!denied.isEmpty()) {
                problems.add("role " + config.databaseUser() + " may not mark the transactions it applies with a replication"
                        + " origin: GRANT EXECUTE ON FUNCTION " + String.join(", ", denied) + " TO " + config.databaseUser()
                        + " (or use a superuser)");
            }
            String publication = ReplicationSchema.publicationName(config.nodeId());
            boolean publicationExists = single(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication) != null;
            if (!publicationExists) {
                problems.add("publication " + publication + " does not exist: run `syncline init` for node " + config.nodeId());
            }
            List<String> tables = new ArrayList<>(config.tables());
            tables.addAll(ReplicationSchema.CAPTURED_OWN_TABLES);
            for (String table : tables) {
                checkTable(c, config, table, publicationExists ? publication : null, problems, keys);
            }
            String epoch = single(c, "SELECT to_regclass(?)::text", ReplicationSchema.CAPTURE_IDENTITY_TABLE) == null ? null
                    : single(c, "SELECT epoch::text FROM " + ReplicationSchema.CAPTURE_IDENTITY_TABLE + " WHERE node_id = ?",
                            config.nodeId());
            if (epoch == null) {
                problems.add(ReplicationSchema.CAPTURE_IDENTITY_TABLE + " has no capture epoch for node " + config.nodeId()
                        + ": run `syncline init` for node " + config.nodeId());
            } else {
                offsetsStored = single(c, "SELECT 1 FROM " + ReplicationSchema.CAPTURE_OFFSET_TABLE + " WHERE node_id = ? LIMIT 1",
                        config.nodeId()) != null;
                identity = new OriginIdentity(Long.parseLong(single(c, "SELECT system_identifier::text FROM pg_control_system()")),
                        Long.parseLong(epoch));
            }
            slotExists = single(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?",
                    ReplicationSchema.slotName(config.nodeId())) != null;
        }
        if (!problems.isEmpty()) {
            throw new CaptureSetupException("[" + config.nodeId() + " capture] cannot start:\n  - " + String.join("\n  - ", problems));
        }
        ReplicationSchema.CAPTURED_OWN_TABLES.forEach(keys::remove);
        return new Database(keys, serverVersion >= ORIGIN_FILTER_SINCE, identity, slotExists, offsetsStored);
    }

    private static void checkTable(Connection c, CaptureConfig config, String table, String publication,
            List<String> problems, Map<String, List<String>> keys) throws SQLException {
        String oid = single(c, "SELECT to_regclass(?)::oid::text", quoted(table));
        if (oid == null) {
            problems.add(ReplicationSchema.CAPTURED_OWN_TABLES.contains(table)
                    ? table + " does not exist: run `syncline init` for node " + config.nodeId()
                    : "table " + table + " does not exist");
            return;
        }
        if (!"t".equals(single(c, "SELECT has_table_privilege(?::oid, 'SELECT')::text::char", oid))) {
            problems.add("role " + config.databaseUser() + " may not read " + table + ": GRANT SELECT ON " + table + " TO " + config.databaseUser());
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                        + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                        + " WHERE i.indrelid = ?::oid AND i.indisprimary ORDER BY k.n")) {
            ps.setString(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        if (pk.isEmpty()) {
            problems.add("table " + table + " has no primary key; Syncline replicates only tables with a primary key:"
                    + " add one (ALTER TABLE " + table + " ADD PRIMARY KEY (...))");
        }
        keys.put(table, pk);
        if (!ReplicationSchema.CAPTURED_OWN_TABLES.contains(table)) {
            Set<String> missing = new java.util.TreeSet<>(ReplicationSchema.METADATA_COLUMNS);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped")) {
                ps.setString(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        missing.remove(rs.getString(1));
                    }
                }
            }
            if (!missing.isEmpty()) {
                problems.add("table " + table + " lacks the row-version columns " + missing + ": run `syncline init` for node " + config.nodeId());
            }
            List<String> unreplicable = UnreplicableColumns.of(c, quoted(table));
            if (!unreplicable.isEmpty()) {
                problems.add(UnreplicableColumns.problem(table, unreplicable));
            }
            checkTriggers(c, config, table, oid, problems);
            if (publication != null && "p".equals(single(c, "SELECT relkind::text FROM pg_class WHERE oid = ?::oid", oid))
                    && !"t".equals(single(c, "SELECT pubviaroot::text::char FROM pg_publication WHERE pubname = ?", publication))) {
                problems.add("table " + table + " is partitioned and publication " + publication + " publishes the changes of"
                        + " its partitions under their own names, which the capture does not read: run `syncline init` again"
                        + " for node " + config.nodeId() + " (it sets publish_via_partition_root)");
            }
        }
        if (publication != null && single(c, "SELECT 1 FROM pg_publication_rel WHERE prpubid = (SELECT oid FROM pg_publication WHERE pubname = ?)"
                + " AND prrelid = ?::oid", publication, oid) == null) {
            problems.add("publication " + publication + " does not include " + table + ": run `syncline init` again for node " + config.nodeId());
        }
    }

    /**
     * The row triggers and the TRUNCATE guard of {@code syncline init}, calling the functions of
     * this version's naming ({@link TableObjectNames}); the guard also on every partition, where
     * statement triggers are not inherited (a partition created after init lacks it).
     */
    private static void checkTriggers(Connection c, CaptureConfig config, String table, String oid, List<String> problems)
            throws SQLException {
        int dot = table.indexOf('.');
        TableObjectNames names = TableObjectNames.of(table.substring(0, dot), table.substring(dot + 1));
        List<String> missing = new ArrayList<>();
        for (TableObjectNames.Kind kind : TableObjectNames.Kind.values()) {
            if (single(c, "SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = ?::oid"
                    + " AND t.tgname = ? AND p.proname = ? AND p.pronamespace = ?::regnamespace",
                    oid, kind.triggerName(), names.function(kind), ReplicationSchema.SCHEMA) == null) {
                missing.add(kind.triggerName());
            }
        }
        if (!missing.isEmpty()) {
            problems.add("table " + table + " lacks the triggers " + missing + " of this version of Syncline (or they call other"
                    + " functions than " + ReplicationSchema.SCHEMA + "." + names.function(TableObjectNames.Kind.STAMP)
                    + ", ...): run `syncline init` again for node " + config.nodeId());
        }
        List<String> unguarded = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relid::regclass::text FROM pg_partition_tree(?::oid::regclass) t"
                + " WHERE t.level > 0 AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t.relid AND g.tgname = ?)"
                + " ORDER BY 1")) {
            ps.setString(1, oid);
            ps.setString(2, TableObjectNames.Kind.TRUNCATE.triggerName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unguarded.add(rs.getString(1));
                }
            }
        }
        if (!unguarded.isEmpty()) {
            problems.add("partitions " + unguarded + " of table " + table + " lack the trigger that refuses a TRUNCATE (a"
                    + " TRUNCATE is not replicated; partitions created after `syncline init` do not have it): run `syncline init`"
                    + " again for node " + config.nodeId());
        }
    }

    /** Whether the capture's replication slot exists now. */
    public static boolean slotExists(CaptureConfig config) throws SQLException {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), credentials(config))) {
            return single(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", ReplicationSchema.slotName(config.nodeId())) != null;
        }
    }

    static Properties credentials(CaptureConfig config) {
        Properties props = new Properties();
        props.setProperty("user", config.databaseUser());
        props.setProperty("password", config.databasePassword());
        props.setProperty("connectTimeout", "10");
        return props;
    }

    private static String quoted(String table) {
        int dot = table.indexOf('.');
        return "\"" + table.substring(0, dot).replace("\"", "\"\"") + "\".\"" + table.substring(dot + 1).replace("\"", "\"\"") + "\"";
    }

    private static String single(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
