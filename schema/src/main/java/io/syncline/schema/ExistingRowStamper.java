package io.syncline.schema;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.TableConfig;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the rows that existed before {@code syncline init} installed the triggers a version of
 * this node ({@link StampStatements}), in key-ordered chunks of {@code chunkRows}, each chunk its
 * own transaction that also records the chunk's last key in {@code syncline.existing_row_stamp}:
 * an interrupted run resumes after the last committed chunk, and a run over a finished table
 * only checks that no row without a version is left. Rows the application writes meanwhile get
 * their version from the trigger and are skipped.
 *
 * <p>The chunks commit under the replication origin {@link #ORIGIN}, like the applier's
 * transactions: the triggers leave the stamp as written, and the capture does not publish it
 * (pgoutput {@code origin=none}, and the capture drops origin-marked transactions on older
 * servers). A stamp changes no user value; the peers get the rows with their versions when they
 * copy this database (docs/membership.md), so publishing a change per existing row would only
 * flood the outbox. A second run at the same time is refused by PostgreSQL: a replication origin
 * is active in one session at a time.
 *
 * <p>Not thread-safe; uses the given connection and leaves it in autocommit.
 */
public final class ExistingRowStamper {

    /** The replication origin the stamping transactions carry. */
    public static final String ORIGIN = "syncline_existing_rows";

    private static final Logger log = LoggerFactory.getLogger(ExistingRowStamper.class);
    private static final String PROGRESS = ReplicationSchema.SCHEMA + ".existing_row_stamp";

    /** Progress of a run, called on the stamping thread. A runtime exception thrown here stops the run after the chunk committed. */
    public interface Listener {
        /** {@code table} has {@code unstamped} rows without a version; {@code resumedAfter} were stamped by an earlier run. */
        void tableStarted(String table, long unstamped, long resumedAfter);

        /** A chunk of {@code table} committed; {@code stamped} rows of this run so far. */
        void chunkCommitted(String table, long stamped);

        Listener NONE = new Listener() {
            @Override
            public void tableStarted(String table, long unstamped, long resumedAfter) {}

            @Override
            public void chunkCommitted(String table, long stamped) {}
        };
    }

    /** What a run did to one table: rows stamped by this run and the time it took. */
    public record TableResult(String table, long stamped, long nanos) {}

    private final String nodeId;
    private final int chunkRows;
    private final Listener listener;

    public ExistingRowStamper(String nodeId, int chunkRows, Listener listener) {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be positive: " + chunkRows);
        }
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.chunkRows = chunkRows;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Stamps every configured table's rows without a version; the replication schema must be
     * installed ({@link ReplicationSchemaInstaller}).
     */
    public List<TableResult> stamp(Connection connection, List<TableConfig> tables) throws SQLException {
        connection.setAutoCommit(true);
        setUpOrigin(connection);
        try {
            List<TableResult> results = new ArrayList<>();
            for (TableConfig table : tables) {
                results.add(stampTable(connection, table));
            }
            return results;
        } finally {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_replication_origin_session_reset()");
            }
        }
    }

    private void setUpOrigin(Connection connection) throws SQLException {
        try {
            ReplicationOrigins.useInSession(connection, ORIGIN);
        } catch (SQLException e) {
            throw new SchemaException("replication origin " + ORIGIN + " of node " + nodeId + " cannot be set up ("
                    + e.getMessage().strip() + "): is another syncline init running against this database? Wait for it,"
                    + " then run syncline init again");
        }
    }

    private TableResult stampTable(Connection connection, TableConfig config) throws SQLException {
        String name = config.name().qualified();
        TableKey key = TableKey.read(connection, name);
        StampStatements sql = new StampStatements(key, StampStatements.keyTypes(connection, key), nodeId,
                ReplicationSchemaInstaller.deltaColumns(connection, key, config),
                config.conflict().policy() == ConflictPolicy.COLUMN_MERGE);
        Progress progress = readProgress(connection, key.qualifiedName());
        if (progress.finished()) {
            if (!exists(connection, sql.anyUnstamped())) {
                listener.tableStarted(key.qualifiedName(), 0, progress.stamped());
                return new TableResult(key.qualifiedName(), 0, 0);
            }
            // Rows without a version appeared after a finished run (restored or copied in without the triggers): scan again.
            log.warn("[{}] table {} holds rows without a version although an earlier init stamped it; stamping them now",
                    nodeId, key.qualifiedName());
            progress = new Progress(null, progress.stamped(), false);
            try (PreparedStatement reset = connection.prepareStatement("UPDATE " + PROGRESS
                    + " SET finished_at = NULL, last_key = NULL WHERE table_name = ?")) {
                reset.setString(1, key.qualifiedName());
                reset.executeUpdate();
            }
        }
        long unstamped = count(connection, sql.countUnstamped());
        listener.tableStarted(key.qualifiedName(), unstamped, progress.stamped());
        if (unstamped > 0) {
            log.info("[{}] table {}: stamping {} existing row(s) in chunks of {}{}", nodeId, key.qualifiedName(), unstamped,
                    chunkRows, progress.lastKey() == null ? "" : ", resuming after key " + progress.lastKey());
        }
        long started = System.nanoTime();
        long stamped = 0;
        String lastKey = progress.lastKey();
        while (true) {
            connection.setAutoCommit(false);
            try {
                Chunk chunk = stampChunk(connection, sql, key, lastKey);
                if (chunk == null) {
                    finish(connection, key.qualifiedName());
                    connection.commit();
                    break;
                }
                connection.commit();
                stamped += chunk.stamped();
                lastKey = chunk.lastKey();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            listener.chunkCommitted(key.qualifiedName(), stamped);
        }
        long nanos = System.nanoTime() - started;
        if (stamped > 0) {
            log.info("[{}] table {}: {} existing row(s) stamped in {} ms", nodeId, key.qualifiedName(), stamped, nanos / 1_000_000);
        }
        return new TableResult(key.qualifiedName(), stamped, nanos);
    }

    private record Chunk(long stamped, String lastKey) {}

    /** Stamps the chunk after {@code lastKey} (from the start when null) and records it; null when no key is left. */
    private Chunk stampChunk(Connection connection, StampStatements sql, TableKey key, String lastKey) throws SQLException {
        Chunk chunk = null;
        try (PreparedStatement statement = connection.prepareStatement(sql.stampChunk(lastKey != null))) {
            int index = 1;
            if (lastKey != null) {
                for (int i = 0; i < key.columns().size(); i++) {
                    statement.setString(index++, lastKey);
                }
            }
            statement.setInt(index, chunkRows);
            try (ResultSet rs = statement.executeQuery()) {
                if (rs.next()) {
                    chunk = new Chunk(rs.getLong(1), rs.getString(2));
                }
            }
        }
        if (chunk != null) {
            try (PreparedStatement record = connection.prepareStatement("UPDATE " + PROGRESS
                    + " SET last_key = ?::jsonb, stamped = stamped + ? WHERE table_name = ?")) {
                record.setString(1, chunk.lastKey());
                record.setLong(2, chunk.stamped());
                record.setString(3, key.qualifiedName());
                record.executeUpdate();
            }
        }
        return chunk;
    }

    private record Progress(String lastKey, long stamped, boolean finished) {}

    private static Progress readProgress(Connection connection, String table) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + PROGRESS
                + " (table_name) VALUES (?) ON CONFLICT (table_name) DO NOTHING")) {
            insert.setString(1, table);
            insert.executeUpdate();
        }
        try (PreparedStatement read = connection.prepareStatement("SELECT last_key::text, stamped, finished_at IS NOT NULL"
                + " FROM " + PROGRESS + " WHERE table_name = ?")) {
            read.setString(1, table);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                return new Progress(rs.getString(1), rs.getLong(2), rs.getBoolean(3));
            }
        }
    }

    private static void finish(Connection connection, String table) throws SQLException {
        try (PreparedStatement finish = connection.prepareStatement("UPDATE " + PROGRESS
                + " SET finished_at = now(), last_key = NULL WHERE table_name = ?")) {
            finish.setString(1, table);
            finish.executeUpdate();
        }
    }

    private static boolean exists(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
