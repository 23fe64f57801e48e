package io.syncline.node.runtime;

import io.syncline.core.config.DatabaseConfig;
import io.syncline.core.config.DatabaseUrl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proof that this process is the only active node of its node id: a session-level advisory
 * lock on the node's own database, held by a connection of its own (not from the pool) for the
 * node's life. PostgreSQL releases it when that session ends, also when the process is killed
 * (the kernel closes the socket) or its host dies (the session's TCP keepalives, set from the
 * failure timeout, end it). Thread-safe.
 */
public final class NodeLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);
    /** First key of every Syncline lease ("SYNC"); the second is derived from the node id. */
    static final int LOCK_CLASS = 0x53594E43;
    private static final String HOLDER_SQL = "SELECT l.pid, host(a.client_addr), a.client_port, a.application_name,"
            + " a.backend_start::text FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 2"
            + " AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    private static final String HELD_SQL = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND"
            + " classid::bigint = ? AND objid::bigint = ? AND objsubid = 2 AND granted AND pid = pg_backend_pid()";
    private static final Duration LOG_WAITING_EVERY = Duration.ofMinutes(1);
    private static final Executor DIRECT = Runnable::run;

    private final String nodeId;
    private final String where;
    private final Connection connection;
    private volatile boolean held = true;
    private volatile String lossReason = "";

    private NodeLease(String nodeId, String where, Connection connection) {
        this.nodeId = nodeId;
        this.where = where;
        this.connection = connection;
    }

    /** The second lock key: non-negative, so that pg_locks shows it as written. */
    static int lockKey(String nodeId) {
        CRC32 crc = new CRC32();
        crc.update(nodeId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & 0x7FFFFFFFL);
    }

    /** Whether some session holds the lease of {@code nodeId} on the database of {@code connection}: the node runs. */
    public static boolean isHeld(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLDER_SQL)) {
            ps.setLong(1, LOCK_CLASS);
            ps.setLong(2, lockKey(nodeId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Takes the lease now.
     *
     * @throws LeaseHeldException naming the holder when another session holds it
     * @throws SQLException       when the database cannot be reached
     */
    static NodeLease acquire(String nodeId, DatabaseConfig database, Duration failureTimeout) throws SQLException {
        Connection connection = open(nodeId, database, failureTimeout);
        try {
            if (tryLock(connection, nodeId)) {
                return new NodeLease(nodeId, describe(database), connection);
            }
            throw new LeaseHeldException("[" + nodeId + "] another process is already the active node " + nodeId
                    + ": its lease on database " + describe(database) + " is held by " + holder(connection, nodeId)
                    + ". Stop that process first, or start this one with `syncline run --standby` to take over when it stops.");
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /**
     * Waits as a standby until the lease is free, polling every {@code pollInterval}, and takes it.
     * A lost connection is opened again (logged).
     *
     * @param cancelled polled between attempts: when true, gives up and returns empty
     */
    static Optional<NodeLease> await(String nodeId, DatabaseConfig database, Duration failureTimeout, Duration pollInterval,
            BooleanSupplier cancelled) throws InterruptedException {
        String where = describe(database);
        long waitingSince = System.nanoTime();
        long lastSeenHeld = waitingSince;
        long nextLog = waitingSince;
        String holder = "?";
        Connection connection = null;
        while (!cancelled.getAsBoolean()) {
            try {
                if (connection == null) {
                    connection = open(nodeId, database, failureTimeout);
                }
                if (tryLock(connection, nodeId)) {
                    long now = System.nanoTime();
                    log.info("[{}] standby took the lease on {} after waiting {} ms; it was last seen held {} ms ago (by {})",
                            nodeId, where, (now - waitingSince) / 1_000_000, (now - lastSeenHeld) / 1_000_000, holder);
                    return Optional.of(new NodeLease(nodeId, where, connection));
                }
                holder = holder(connection, nodeId);
                lastSeenHeld = System.nanoTime();
                if (lastSeenHeld >= nextLog) {
                    log.info("[{}] standby: waiting for the lease of node {} on {}, held by {}; this process takes over"
                            + " when that one stops", nodeId, nodeId, where, holder);
                    nextLog = lastSeenHeld + LOG_WAITING_EVERY.toNanos();
                }
            } catch (SQLException e) {
                log.warn("[{}] standby: cannot check the lease on {} ({}); trying again", nodeId, where, e.getMessage());
                closeQuietly(connection);
                connection = null;
            }
            LockSupport.parkNanos(pollInterval.toNanos());
            if (Thread.interrupted()) {
                closeQuietly(connection);
                throw new InterruptedException("standby of " + nodeId + " interrupted");
            }
        }
        closeQuietly(connection);
        return Optional.empty();
    }

    /**
     * Checks that the lease is still this session's; false from the first failed check on, for
     * good (a session that was lost cannot prove nobody else took the lease meanwhile).
     */
    boolean verify() {
        if (!held) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement(HELD_SQL)) {
            ps.setLong(1, LOCK_CLASS);
            ps.setLong(2, lockKey(nodeId));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) == 1) {
                    return true;
                }
            }
            held = false;
            lossReason = "the lock is no longer held by the lease session";
        } catch (SQLException e) {
            held = false;
            lossReason = "the lease connection failed: " + e.getMessage();
        }
        return false;
    }

    /** Why {@link #verify()} failed. */
    String lossReason() {
        return lossReason;
    }

    /** The PostgreSQL backend that streams from {@code slot} now, if one does. */
    Optional<Integer> slotActivePid(String slot) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        }
    }

    /** The database as the messages name it: host:port/database, without parameters. */
    String where() {
        return where;
    }

    /**
     * Releases the lease: unlocks it, then ends its session. Ending the session alone releases the
     * lock only once the server process has exited, a moment after the client closed its socket, so
     * a node started again at once could find its own previous lease still held.
     */
    @Override
    public void close() {
        held = false;
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, lockKey(nodeId));
            ps.execute();
        } catch (SQLException e) {
            log.debug("[{}] unlocking the lease before closing its session: {}", nodeId, e.toString());
        }
        closeQuietly(connection);
    }

    private static Connection open(String nodeId, DatabaseConfig database, Duration failureTimeout) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database.user());
        props.setProperty("password", database.password().reveal());
        props.setProperty("tcpKeepAlive", "true");
        // Shown in pg_stat_activity, so that a refused second process can name the holder's host and pid.
        props.setProperty("ApplicationName", "syncline lease " + nodeId + " on " + hostName() + " pid " + ProcessHandle.current().pid());
        // Parameters of database.url (TLS, timeouts) win over these: pgjdbc reads the URL last.
        Connection connection = DriverManager.getConnection(database.url(), props);
        try (Statement statement = connection.createStatement()) {
            // The server ends the session of a silent peer (host down, network cut) within about two thirds
            // of the failure timeout: idle + count x interval, or unacknowledged data for tcp_user_timeout
            // (PostgreSQL manual, "Connection Settings"; no effect over a Unix socket).
            long third = Math.max(1, failureTimeout.toSeconds() / 3);
            long ninth = Math.max(1, failureTimeout.toSeconds() / 9);
            statement.execute("SET tcp_keepalives_idle = " + third);
            statement.execute("SET tcp_keepalives_interval = " + ninth);
            statement.execute("SET tcp_keepalives_count = 3");
            statement.execute("SET tcp_user_timeout = " + (third + 3 * ninth) * 1000);
            // A check of a lease whose server no longer answers fails instead of hanging.
            connection.setNetworkTimeout(DIRECT, (int) Math.max(1000, failureTimeout.toMillis() / 3));
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
        return connection;
    }

    private static boolean tryLock(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, lockKey(nodeId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Who holds the lease, as far as this role may see (pg_stat_activity hides other roles' client addresses). */
    private static String holder(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLDER_SQL)) {
            ps.setLong(1, LOCK_CLASS);
            ps.setLong(2, lockKey(nodeId));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "a session that has just ended";
                }
                String address = rs.getString(2) == null ? "address not visible to this role"
                        : rs.getString(2) + ":" + rs.getInt(3);
                String application = rs.getString(4) == null || rs.getString(4).isEmpty() ? ""
                        : ", application '" + rs.getString(4) + "'";
                String since = rs.getString(5) == null ? "" : ", connected since " + rs.getString(5);
                return "PostgreSQL backend pid " + rs.getInt(1) + " (client " + address + application + since + ")";
            }
        }
    }

    private static String describe(DatabaseConfig database) {
        DatabaseUrl url = DatabaseUrl.parse(database.url());
        return url.host() + ":" + url.port() + "/" + url.database();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the lease connection: {}", e.toString());
        }
    }
}
