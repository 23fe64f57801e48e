package io.syncline.apply;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.StatementCache;
import io.syncline.apply.internal.TableCatalog;
import io.syncline.conflict.RowDecider;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes pooled connections for applying and gives them back: marks a connection's session with a
 * replication origin ({@link #openSession}), and resets it on release, or discards the connection
 * when the reset fails. Thread-safe: the writers of a link share it.
 */
final class ApplyConnections {

    private static final Logger log = LoggerFactory.getLogger(ApplyConnections.class);

    private final DataSource dataSource;
    private final TableCatalog catalog;
    private final RowDecider decider;
    private final String localNode;
    private final ReplicatedTables tables;
    private final Set<String> originsReady = ConcurrentHashMap.newKeySet();
    private volatile boolean deadlockTimeoutWarned;
    // Per physical connection (by identity), its prepared statements; guarded by itself.
    private final Map<Connection, StatementCache> statements = new IdentityHashMap<>();

    ApplyConnections(DataSource dataSource, TableCatalog catalog, RowDecider decider, String localNode, ReplicatedTables tables) {
        this.dataSource = dataSource;
        this.catalog = catalog;
        this.decider = decider;
        this.localNode = localNode;
        this.tables = tables;
    }

    /**
     * Takes a connection from the pool and sets it up for applying as {@code origin}: creates the
     * origin once, marks the session with it ({@link #startApplySession}), lowers its deadlock
     * timeout ({@link #yieldInDeadlocks}) and turns autocommit off. On a failure the connection is
     * returned, its origin session reset if it was set, and the failure thrown.
     */
    ApplyConnection openSession(String origin, String prefix) throws SQLException {
        Connection connection = null;
        boolean originSet = false;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            ensureOrigin(connection, origin);
            // Set first: a failure half-way leaves the session to reset or discard, never to reuse as it is.
            originSet = true;
            startApplySession(connection, origin);
            yieldInDeadlocks(connection, prefix);
            connection.setAutoCommit(false);
            return new ApplyConnection(this, connection, new ApplySession(connection, statementsOf(connection), catalog, decider,
                    localNode, prefix, tables), prefix);
        } catch (SQLException | RuntimeException e) {
            rollback(connection, prefix);
            release(connection, originSet, prefix);
            throw e;
        }
    }

    /**
     * Lowers this session's {@code deadlock_timeout} to {@value #APPLIER_DEADLOCK_TIMEOUT} when the
     * server's is longer. In a deadlock the session whose timeout expires first runs the check and
     * is the one aborted (PostgreSQL manual, "Lock Management"): an applier locked in a cycle with
     * an application transaction is then the one that fails, and it applies its batch again after
     * a tenth of the default wait, while the application's transaction goes on. Setting the
     * parameter takes a superuser or {@code GRANT SET ON PARAMETER deadlock_timeout}; without
     * either the server's timeout stays, said once in the log.
     */
    void yieldInDeadlocks(Connection connection, String prefix) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(YIELD_IN_DEADLOCKS);
            if (statement.getWarnings() != null && !deadlockTimeoutWarned) {
                deadlockTimeoutWarned = true;
                log.warn("{} cannot lower deadlock_timeout for the applier ({}): in a deadlock with an application"
                        + " transaction either may be aborted; GRANT SET ON PARAMETER deadlock_timeout TO the node's role"
                        + " so that the applier yields", prefix, statement.getWarnings().getMessage());
            }
        }
    }

    private static final String APPLIER_DEADLOCK_TIMEOUT = "100ms";

    private static final String YIELD_IN_DEADLOCKS = """
            DO $$
            BEGIN
                IF current_setting('deadlock_timeout')::interval > interval '%1$s' THEN
                    PERFORM set_config('deadlock_timeout', '%1$s', false);
                END IF;
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'permission denied to set deadlock_timeout, which stays %%', current_setting('deadlock_timeout');
            END $$""".formatted(APPLIER_DEADLOCK_TIMEOUT);

    /**
     * Starts an apply session on a pooled connection, in one round trip: marks its transactions
     * with {@code origin}, so that the capture leaves them out and the row triggers leave their
     * versions alone, and turns hash and merge joins off. The applier joins a batch of keys to
     * their rows and tombstones; with joins by hash the planner reads a table of up to a few
     * hundred thousand rows whole for each batch (it prices 5000 index lookups above a scan of
     * 100,000 cached rows, which took 70 ms against 12 ms), so the cost of applying grew with the
     * table. Index lookups cost the same whatever the table's size. {@link #release} undoes both
     * before the connection goes back to the pool ({@link #yieldInDeadlocks}'s timeout stays: a
     * role that may not set it may not reset it either).
     */
    static void startApplySession(Connection connection, String origin) throws SQLException {
        try (PreparedStatement setup = connection.prepareStatement("SELECT pg_replication_origin_session_setup(?),"
                + " set_config('enable_hashjoin', 'off', false), set_config('enable_mergejoin', 'off', false)")) {
            setup.setString(1, origin);
            setup.execute();
        }
    }

    void ensureOrigin(Connection connection, String origin) throws SQLException {
        if (originsReady.contains(origin)) {
            return;
        }
        try (PreparedStatement find = connection.prepareStatement("SELECT pg_replication_origin_oid(?)")) {
            find.setString(1, origin);
            try (ResultSet rs = find.executeQuery()) {
                rs.next();
                if (rs.getObject(1) == null) {
                    try (PreparedStatement create = connection.prepareStatement("SELECT pg_replication_origin_create(?)")) {
                        create.setString(1, origin);
                        create.execute();
                    }
                }
            }
        }
        originsReady.add(origin);
    }

    static void rollback(Connection connection, String prefix) {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.debug("{} rollback failed (the connection is probably gone): {}", prefix, e.toString());
        }
    }

    /** Returns the connection without its origin session and join settings; one that keeps them must not be reused. */
    /**
     * The statements prepared on {@code connection}'s physical connection, kept across checkouts from
     * the pool; those of connections closed since are dropped. Without a PostgreSQL connection to
     * unwrap, statements live as long as the session.
     */
    StatementCache statementsOf(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(PGConnection.class)) {
            return new StatementCache(connection);
        }
        Connection physical = (Connection) connection.unwrap(PGConnection.class);
        synchronized (statements) {
            statements.values().removeIf(cache -> {
                try {
                    return cache.isClosed();
                } catch (SQLException e) {
                    return true;
                }
            });
            StatementCache cache = statements.computeIfAbsent(physical, StatementCache::new);
            cache.clearBatches();
            return cache;
        }
    }

    /** Closes and forgets the statements of a connection that is discarded. */
    private void forgetStatements(Connection connection) {
        try {
            if (connection.isWrapperFor(PGConnection.class)) {
                Connection physical = (Connection) connection.unwrap(PGConnection.class);
                StatementCache cache;
                synchronized (statements) {
                    cache = statements.remove(physical);
                }
                if (cache != null) {
                    cache.close();
                }
            }
        } catch (SQLException e) {
            log.debug("forgetting the statements of a discarded connection failed: {}", e.toString());
        }
    }

    void release(Connection connection, boolean originSet, String prefix) {
        if (connection == null) {
            return;
        }
        boolean clean = !originSet;
        if (originSet) {
            try {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
                try (Statement reset = connection.createStatement()) {
                    reset.execute("SELECT pg_replication_origin_session_reset(); RESET enable_hashjoin; RESET enable_mergejoin");
                }
                clean = true;
            } catch (SQLException e) {
                log.warn("{} could not reset the replication origin session; discarding the connection: {}", prefix, e.toString());
            }
        }
        try {
            if (!clean) {
                forgetStatements(connection);
                if (dataSource instanceof HikariDataSource hikari) {
                    hikari.evictConnection(connection);
                    return;
                }
                connection.abort(Runnable::run);
            }
            connection.close();
        } catch (SQLException e) {
            log.debug("{} closing the connection failed: {}", prefix, e.toString());
        }
    }
}
