package io.syncline.node.membership;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicationOrigins;
import io.syncline.schema.TableKey;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies tables from a peer's snapshot into the joining node's database: every column, the six
 * replication metadata columns included, in primary-key order, a chunk of keys per transaction
 * (binary {@code COPY} out of the snapshot, {@code COPY} into the table). The joining node writes
 * under the replication origin {@value #ORIGIN}, so that its row triggers keep the copied versions
 * and its capture does not publish the rows. Each chunk's transaction records its last key in
 * {@code syncline.join_copy}: a copy that was interrupted resumes after the last committed chunk,
 * from whatever snapshot it is given then (see docs/membership.md for why that stays exact). When
 * the triggers do not fire ({@code session_replication_role = replica}) each chunk's transaction
 * also sets the table's insert triggers aside ({@link InsertTriggers}), so that {@code COPY}
 * inserts in batches. Several tables may be copied at once, each by one worker. Not thread-safe:
 * one {@code copy} at a time.
 *
 * <p>Over 400 lines: the workers share one exported snapshot, and how they start, copy and stop on
 * the first failure reads best beside the chunk loop they run. Its SQL is {@link KeyRangeSql}'s and
 * {@link InsertTriggers}'.
 */
public final class SnapshotCopy {

    /** The replication origin the copied rows are written under at the joining node. */
    public static final String ORIGIN = "syncline_join";

    /** Rows per chunk unless {@code syncline join --chunk-rows} says otherwise. */
    public static final int DEFAULT_CHUNK_ROWS = 100_000;

    private static final Logger log = LoggerFactory.getLogger(SnapshotCopy.class);
    private static final String PROGRESS = ReplicationSchema.JOIN_COPY_TABLE;
    private static final int RELAY_BYTES = 64 * 1024;

    /** Tables copied at once unless {@code syncline join --copy-workers} says otherwise. */
    public static final int DEFAULT_WORKERS = 2;
    public static final int MAX_WORKERS = 16;

    /** Told of the copy's progress, on the copying thread. */
    public interface Listener {

        /**
         * @param rows         the rows of the table in the snapshot
         * @param copiedBefore rows an earlier, interrupted join copied
         * @param finished     whether an earlier join copied the whole table
         */
        void tableStarted(String table, long rows, long copiedBefore, boolean finished);

        /** After each committed chunk; {@code copied} counts this run's rows of the table. */
        void chunkCommitted(String table, long copied);
    }

    /** What a run copied of one table. */
    public record TableResult(String table, long copied, long nanos) {}

    /** Opens a new connection to one of the two databases, for a worker beyond the first. */
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final String nodeId;
    private final int chunkRows;
    private final Listener listener;

    /** @param listener called from every worker's thread, one call at a time */
    public SnapshotCopy(String nodeId, int chunkRows, Listener listener) {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be positive: " + chunkRows);
        }
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.chunkRows = chunkRows;
        this.listener = new SerialListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Copies {@code tables} (schema-qualified; {@code syncline.tombstone} may be one of them) from
     * {@code source}, which is inside its snapshot, to {@code target}, one table after the other.
     *
     * @throws JoinRefusedException when a table's columns differ between the two databases
     */
    public List<TableResult> copy(Connection source, Connection target, List<String> tables) throws SQLException, IOException {
        return copy(source, target, tables, 1, null, null);
    }

    /**
     * Copies {@code tables} as {@link #copy(Connection, Connection, List)} does, up to
     * {@code workers} tables at once: each further worker reads {@code source}'s snapshot on a
     * connection of its own from {@code sources} ({@code pg_export_snapshot()}, {@code SET
     * TRANSACTION SNAPSHOT}: the same rows) and writes on its own connection from {@code targets},
     * under a replication origin of its own (PostgreSQL before 16 lets one session at a time use
     * an origin). Each table is copied by one worker, with the same chunks and progress as alone.
     * One worker when the triggers run, since tables with foreign keys must then go in order.
     */
    public List<TableResult> copy(Connection source, Connection target, List<String> tables, int workers, Connector sources,
            Connector targets) throws SQLException, IOException {
        target.setAutoCommit(true);
        boolean replicaRole = skipTriggers(target);
        try {
            int count = replicaRole && sources != null && targets != null ? workers(workers, tables.size()) : 1;
            Queue<String> queue = new ConcurrentLinkedQueue<>(tables);
            Map<String, TableResult> results = new ConcurrentHashMap<>();
            AtomicBoolean failed = new AtomicBoolean();
            if (count == 1) {
                setUpOrigin(target, ORIGIN);
                copyQueued(source, target, queue, results, failed, replicaRole);
            } else {
                copyInParallel(source, target, queue, results, failed, count, sources, targets);
            }
            return tables.stream().map(results::get).toList();
        } finally {
            target.setAutoCommit(true);
            try (Statement statement = target.createStatement()) {
                statement.execute("SELECT pg_replication_origin_session_reset() WHERE pg_replication_origin_session_is_setup()");
                if (replicaRole) {
                    statement.execute("RESET session_replication_role");
                }
            }
        }
    }

    /** Workers for {@code tables} tables when {@code requested} may run: no more than there are tables, at least one. */
    static int workers(int requested, int tables) {
        if (requested < 1 || requested > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be between 1 and " + MAX_WORKERS + ", not " + requested);
        }
        return Math.max(1, Math.min(requested, tables));
    }

    /** The replication origin worker {@code index} (from 0) writes under. */
    static String origin(int index) {
        return index == 0 ? ORIGIN : ORIGIN + "_" + (index + 1);
    }

    /**
     * The further workers open their connections first, while this one sets up its origin and
     * exports the snapshot, and this one starts copying once they are ready: a worker that sets up
     * while the others copy gets little of the machine and starts late.
     */
    private void copyInParallel(Connection source, Connection target, Queue<String> queue, Map<String, TableResult> results,
            AtomicBoolean failed, int count, Connector sources, Connector targets) throws SQLException, IOException {
        // Each further worker and the opening of its target connection.
        ExecutorService pool = Executors.newFixedThreadPool(2 * (count - 1), runnable -> {
            Thread thread = new Thread(runnable, "syncline-join-copy-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<String> snapshot = new CompletableFuture<>();
        CountDownLatch ready = new CountDownLatch(count - 1);
        try {
            List<Future<Void>> others = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int index = i;
                AtomicBoolean counted = new AtomicBoolean();
                Runnable isReady = () -> {
                    if (counted.compareAndSet(false, true)) {
                        ready.countDown();
                    }
                };
                others.add(pool.submit(() -> {
                    try {
                        worker(index, snapshot, isReady, pool, sources, targets, queue, results, failed);
                        return null;
                    } catch (SQLException | IOException | RuntimeException e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        isReady.run();
                    }
                }));
            }
            Exception first = null;
            try {
                setUpOrigin(target, ORIGIN);
                snapshot.complete(single(source, "SELECT pg_catalog.pg_export_snapshot()"));
                ready.await();
                copyQueued(source, target, queue, results, failed, true);
            } catch (SQLException | IOException | RuntimeException e) {
                failed.set(true);
                snapshot.completeExceptionally(e);
                first = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.set(true);
                snapshot.completeExceptionally(e);
                first = new InterruptedIOException("interrupted while the copy's workers set up");
            }
            for (Future<Void> other : others) {
                try {
                    other.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = (Exception) e.getCause();
                    } else {
                        first.addSuppressed(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.set(true);
                    throw new InterruptedIOException("interrupted while the copy's workers ran");
                }
            }
            if (first instanceof SQLException e) {
                throw e;
            }
            if (first instanceof IOException e) {
                throw e;
            }
            if (first != null) {
                throw (RuntimeException) first;
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A worker beyond the first: its own session in the snapshot and its own target session. It
     * runs {@code isReady} once both are set up (its caller runs it too, when it fails).
     */
    private void worker(int index, CompletableFuture<String> snapshot, Runnable isReady, ExecutorService pool,
            Connector sources, Connector targets, Queue<String> queue, Map<String, TableResult> results, AtomicBoolean failed)
            throws SQLException, IOException {
        Future<Connection> targetOpening = pool.submit(targets::open);
        try (Connection source = sources.open(); Connection target = opened(targetOpening)) {
            target.setAutoCommit(true);
            setUpOrigin(target, origin(index));
            skipTriggers(target);
            source.setAutoCommit(false);
            try (Statement statement = source.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                statement.execute("SET TRANSACTION SNAPSHOT " + KeyRangeSql.literal(awaitSnapshot(snapshot)));
            }
            isReady.run();
            copyQueued(source, target, queue, results, failed, true);
            source.rollback();
        } finally {
            closeWhenOpened(targetOpening);
        }
    }

    /** The connection {@code opening} gives; an {@link SQLException} when it failed. */
    private static Connection opened(Future<Connection> opening) throws SQLException, InterruptedIOException {
        try {
            return opening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException cause) {
                throw cause;
            }
            throw new IllegalStateException("could not open a connection for the copy", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a copy worker connected");
        }
    }

    /** Closes the connection {@code opening} gives, once it gave it, when the worker failed before taking it. */
    private static void closeWhenOpened(Future<Connection> opening) {
        try {
            Connection connection = opening.get();
            if (!connection.isClosed()) {
                connection.close();
            }
        } catch (ExecutionException | SQLException e) {
            // Nothing to close, or closing failed: the worker's error is the one to report.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String awaitSnapshot(CompletableFuture<String> snapshot) throws InterruptedIOException {
        try {
            return snapshot.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the copy's first worker failed before exporting the snapshot", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a copy worker waited for the snapshot");
        }
    }

    /** Copies the queue's next table until none is left or a worker failed. */
    private void copyQueued(Connection source, Connection target, Queue<String> queue, Map<String, TableResult> results,
            AtomicBoolean failed, boolean replicaRole) throws SQLException, IOException {
        String table;
        while (!failed.get() && (table = queue.poll()) != null) {
            results.put(table, copyTable(source, target, table, replicaRole));
        }
    }

    /**
     * Sets {@code session_replication_role = replica} when the role may: ordinary triggers and
     * foreign-key checks do not fire, as in PostgreSQL's own logical replication apply (PostgreSQL
     * manual, session_replication_role). The row triggers would only keep the copied versions under
     * the origin anyway, and cost about half the copy's rate; without the foreign-key checks the
     * tables can be copied in any order. Returns whether it is set.
     */
    private boolean skipTriggers(Connection target) throws SQLException {
        try (Statement statement = target.createStatement()) {
            statement.execute("SET session_replication_role = replica");
            return true;
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            log.info("[{}] the copy runs the tables' triggers (the role may not set session_replication_role: {}); it"
                    + " copies about twice as fast with GRANT SET ON PARAMETER session_replication_role TO the node's role"
                    + " (PostgreSQL 15 and later), and tables with foreign keys must then be listed parents first",
                    nodeId, e.getMessage().strip());
            return false;
        }
    }

    /** Drops the copy's replication origins at the joining node, once nothing is left to copy. */
    public static void dropOrigin(Connection target) throws SQLException {
        for (int i = 0; i < MAX_WORKERS; i++) {
            ReplicationOrigins.drop(target, origin(i));
        }
    }

    private void setUpOrigin(Connection target, String origin) throws SQLException {
        try {
            ReplicationOrigins.useInSession(target, origin);
        } catch (SQLException e) {
            throw new JoinRefusedException("replication origin " + origin + " of node " + nodeId + " cannot be set up ("
                    + e.getMessage().strip() + "): is another syncline join running against this database? Wait for it,"
                    + " then run syncline join again");
        }
    }

    /** @param replicaRole whether {@code target}'s session runs as {@code replica}: its triggers do not fire */
    private TableResult copyTable(Connection source, Connection target, String table, boolean replicaRole)
            throws SQLException, IOException {
        TableKey key = TableKey.read(source, table);
        Map<String, String> columns = columns(source, key);
        Map<String, String> targetColumns = columns(target, key);
        if (!columns.equals(targetColumns)) {
            throw new JoinRefusedException("table " + table + " differs between the peer and this node: columns there "
                    + columns + ", here " + targetColumns + "; give both the same schema (syncline ddl at the peers, the same"
                    + " CREATE TABLE here) before joining");
        }
        List<String> keyTypes = key.columns().stream().map(columns::get).toList();
        KeyRangeSql sql = new KeyRangeSql(key, keyTypes, List.copyOf(columns.keySet()));
        Progress progress = readProgress(target, table);
        long rows = count(source, "SELECT count(*) FROM " + key.quotedName());
        listener.tableStarted(table, rows, progress.copied(), progress.finished());
        if (progress.finished()) {
            return new TableResult(table, 0, 0);
        }
        log.info("[{}] copying table {}: {} row(s) in the snapshot, chunks of {}{}", nodeId, table, rows, chunkRows,
                progress.lastKey() == null ? "" : ", resuming after key " + progress.lastKey());
        InsertTriggers triggers = replicaRole ? InsertTriggers.read(target, key.quotedName()) : InsertTriggers.NONE;
        if (triggers.kept() != null) {
            log.info("[{}] table {} is copied row by row, its insert triggers in place: {}", nodeId, table, triggers.kept());
        }
        long started = System.nanoTime();
        long copied = 0;
        String lower = progress.lastKey();
        // A table that fits one chunk needs no key order and no bound: one plain COPY of it, a sequential scan.
        boolean whole = lower == null && rows <= chunkRows;
        while (true) {
            String upper = whole ? null : single(source, sql.nthKeyAfter(lower, chunkRows));
            target.setAutoCommit(false);
            try {
                triggers.setAside(target);
                long chunk = copyRange(source, target, whole ? sql.copyOutWhole() : sql.copyOut(lower, upper), sql.copyIn());
                triggers.restore(target);
                record(target, table, upper, chunk, upper == null);
                target.commit();
                copied += chunk;
            } catch (SQLException | IOException | RuntimeException e) {
                target.rollback();
                throw e;
            } finally {
                target.setAutoCommit(true);
            }
            listener.chunkCommitted(table, copied);
            if (upper == null) {
                break;
            }
            lower = upper;
        }
        long nanos = System.nanoTime() - started;
        log.info("[{}] table {}: {} row(s) copied in {} ms", nodeId, table, copied, nanos / 1_000_000);
        return new TableResult(table, copied, nanos);
    }

    /**
     * Streams one key range from the snapshot into the table; returns the rows copied. The source
     * sends a message per row; they go on in messages of up to {@value #RELAY_BYTES} bytes, as psql
     * sends a dump's rows: a message per row costs the target about as much as the row (the bench's
     * join phase copied 2.5 times as fast with these blocks, docs/membership.md).
     */
    private static long copyRange(Connection source, Connection target, String copyOut, String copyIn)
            throws SQLException, IOException {
        CopyOut out = source.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOut);
        CopyIn in = target.unwrap(PGConnection.class).getCopyAPI().copyIn(copyIn);
        try {
            byte[] relay = new byte[RELAY_BYTES];
            int filled = 0;
            byte[] row;
            while ((row = out.readFromCopy()) != null) {
                if (filled > 0 && filled + row.length > relay.length) {
                    in.writeToCopy(relay, 0, filled);
                    filled = 0;
                }
                if (row.length > relay.length) {
                    in.writeToCopy(row, 0, row.length);
                } else {
                    System.arraycopy(row, 0, relay, filled, row.length);
                    filled += row.length;
                }
            }
            if (filled > 0) {
                in.writeToCopy(relay, 0, filled);
            }
            return in.endCopy();
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** The table's columns in table order, name -> type; dropped and generated columns left out (COPY cannot write those). */
    private static Map<String, String> columns(Connection connection, TableKey key) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT a.attname, pg_catalog.format_type(a.atttypid,"
                + " a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0"
                + " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum")) {
            statement.setString(1, key.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return columns;
    }

    private record Progress(String lastKey, long copied, boolean finished) {}

    private static Progress readProgress(Connection target, String table) throws SQLException {
        try (PreparedStatement insert = target.prepareStatement("INSERT INTO " + PROGRESS
                + " (table_name) VALUES (?) ON CONFLICT (table_name) DO NOTHING")) {
            insert.setString(1, table);
            insert.executeUpdate();
        }
        try (PreparedStatement read = target.prepareStatement("SELECT last_key::text, copied, finished_at IS NOT NULL FROM "
                + PROGRESS + " WHERE table_name = ?")) {
            read.setString(1, table);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                return new Progress(rs.getString(1), rs.getLong(2), rs.getBoolean(3));
            }
        }
    }

    private static void record(Connection target, String table, String lastKey, long chunk, boolean finished)
            throws SQLException {
        try (PreparedStatement record = target.prepareStatement("UPDATE " + PROGRESS + " SET last_key = ?::jsonb,"
                + " copied = copied + ?, finished_at = CASE WHEN ? THEN now() END WHERE table_name = ?")) {
            record.setString(1, lastKey);
            record.setLong(2, chunk);
            record.setBoolean(3, finished);
            record.setString(4, table);
            record.executeUpdate();
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Passes a listener's calls from several workers on one at a time. */
    private record SerialListener(Listener listener) implements Listener {

        @Override
        public synchronized void tableStarted(String table, long rows, long copiedBefore, boolean finished) {
            listener.tableStarted(table, rows, copiedBefore, finished);
        }

        @Override
        public synchronized void chunkCommitted(String table, long copied) {
            listener.chunkCommitted(table, copied);
        }
    }
}
