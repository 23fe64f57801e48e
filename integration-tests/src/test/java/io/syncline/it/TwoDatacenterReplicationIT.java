package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import io.syncline.it.support.DcCluster.OutboxRecord;
import io.syncline.lab.demo.ConvergenceCheck;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two datacenters, each with its own PostgreSQL, Kafka and Syncline node (in this JVM), replicating
 * all-to-all: values of every common type, whole transactions, conflicts, clock skew and no echo.
 * Each test writes its own table, so the tests do not depend on each other's order.
 */
class TwoDatacenterReplicationIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private static final String ALL_TYPES_COLUMNS = "c_int, c_big, c_num, c_text, c_bytea, c_bool, c_uuid, c_jsonb, c_json,"
            + " c_tstz, c_ts, c_date, c_time, c_interval, c_int_arr, c_text_arr";

    private static DcCluster cluster;

    @BeforeAll
    static void startTwoDatacenters() {
        long startedAt = System.nanoTime();
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.all_types (id int PRIMARY KEY, c_int int, c_big bigint, c_num numeric(20,5),"
                        + " c_text text, c_bytea bytea, c_bool boolean, c_uuid uuid, c_jsonb jsonb, c_json json,"
                        + " c_tstz timestamptz, c_ts timestamp, c_date date, c_time time, c_interval interval,"
                        + " c_int_arr int[], c_text_arr text[])")
                .schema("CREATE TABLE it.accounts (id int PRIMARY KEY, balance bigint NOT NULL)")
                .schema("CREATE TABLE it.batch_rows (batch_id text, n int, payload text, PRIMARY KEY (batch_id, n))")
                .schema("CREATE TABLE it.contested (id int PRIMARY KEY, value text NOT NULL)")
                .schema("CREATE TABLE it.skewed (id int PRIMARY KEY, value text NOT NULL)")
                .schema("CREATE TABLE it.echo (id bigint PRIMARY KEY, value text)")
                .schema("CREATE TABLE it.moved (id int PRIMARY KEY, payload text, note text)")
                .replicate("it.all_types", "it.accounts", "it.batch_rows", "it.contested", "it.skewed", "it.echo", "it.moved")
                .start();
        cluster.startAllNodes();
        System.out.printf("[timing] %s: 2 datacenters with running nodes in %d ms%n", cluster.backendName(),
                (System.nanoTime() - startedAt) / 1_000_000);
    }

    @AfterAll
    static void stopTwoDatacenters() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------------------------ types

    @Test
    void everyTypeReplicatesBothWays() throws Exception {
        writeEveryType(A, 0);
        writeEveryType(B, 100);

        await("every row, in every column, the same text on both sides").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    List<List<String>> onA = allTypes(A);
                    assertThat(allTypes(B)).isEqualTo(onA);
                    assertThat(onA).extracting(row -> row.get(0)).containsExactly("1", "2", "6", "101", "102", "106");
                });
        List<List<String>> rows = allTypes(A);
        System.out.println("[types] replicated rows as text: ");
        rows.forEach(row -> System.out.println("  " + row));
        // Spot checks that the text compared is the real thing, not two equal mistakes.
        List<String> first = rows.get(0);
        assertThat(first.get(4)).isEqualTo("héllo 'single' \"double\" back\\slash\nnew line\ttab");
        assertThat(first.get(5)).isEqualTo("\\x00ff10");
        assertThat(first.get(16)).isEqualTo("{\"a \\\"quoted\\\" one\",NULL,\"NULL\",\"\",\"comma, brace}\",\"back\\\\slash\"}");
        assertThat(rows.get(1).get(15)).isEqualTo("{NULL}");
        assertThat(rows.get(1).get(16)).isEqualTo("{NULL,\"\\\"\"}");
        assertThat(rows.get(2).subList(1, 17)).containsOnlyNulls();
    }

    @Test
    void aKeyChangeKeepsTheLargeValueItDidNotChange() throws Exception {
        // Large and out of line (TOASTed): PostgreSQL does not send it again when the row's key changes.
        cluster.execute(A, "INSERT INTO it.moved VALUES (1, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g), 'n')");
        await("row 1 at dc-b").atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.moved WHERE id = 1") == 1);
        cluster.execute(A, "UPDATE it.moved SET id = 2, note = 'moved' WHERE id = 1");

        await("row 1 moved to 2 at dc-b").atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.moved") == 1
                && cluster.queryLong(B, "SELECT count(*) FROM it.moved WHERE id = 2 AND note = 'moved'") == 1);
        String digest = "SELECT md5(payload) || ':' || length(payload) FROM it.moved WHERE id = 2";
        assertThat(cluster.queryString(B, digest)).isEqualTo(cluster.queryString(A, digest)).endsWith(":64000");
    }

    /**
     * Inserts rows base+1..4, updates base+1 and base+2 together, updates base+2, deletes base+3 and moves base+4 to
     * base+6, in separate transactions.
     */
    private static void writeEveryType(String node, int base) throws SQLException {
        String insert = "INSERT INTO it.all_types (id, " + ALL_TYPES_COLUMNS + ") VALUES ";
        cluster.execute(node,
                insert + "(" + (base + 1) + ", -2147483648, 9223372036854775807, 123456789012345.12345,"
                        + " E'héllo \\'single\\' \"double\" back\\\\slash\\nnew line\\ttab', '\\x00ff10', true,"
                        + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2.50, null], \"b\": {\"c\": \"ü\"}}',"
                        + " '{ \"dup\": 1,  \"dup\": 2 }', '2024-02-29 23:59:59.123456+05:30', '1999-12-31 23:59:59.999999',"
                        + " '0001-01-01', '23:59:59.999999', '1 year 2 mons 3 days 04:05:06.789', '{1,NULL,-3}',"
                        + " ARRAY['a \"quoted\" one', NULL, 'NULL', '', 'comma, brace}', E'back\\\\slash'])",
                insert + "(" + (base + 2) + ", 0, 0, -0.00001, '', '\\x', false, '00000000-0000-0000-0000-000000000000',"
                        + " 'null', '[]', 'infinity', '-infinity', 'infinity', '00:00', '-1 days +02:03', '{}', '{}')",
                insert + "(" + (base + 3) + ", 3, 3, 3, 'to be deleted', '\\x03', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13',"
                        + " '{}', '{}', now(), localtimestamp, current_date, localtime, '3 hours', '{3}', '{three}')",
                "INSERT INTO it.all_types (id) VALUES (" + (base + 4) + ")");
        cluster.execute(node,
                // Two rows in one statement: applied by one multi-row update that carries every type as text.
                "UPDATE it.all_types SET c_bool = NOT c_bool WHERE id IN (" + (base + 1) + ", " + (base + 2) + ")",
                "UPDATE it.all_types SET c_text = 'updated', c_int_arr = '{NULL}', c_text_arr = ARRAY[NULL, '\"'],"
                        + " c_jsonb = '{\"k\": \"v\"}', c_num = 99999999999999.99999 WHERE id = " + (base + 2),
                "DELETE FROM it.all_types WHERE id = " + (base + 3),
                "UPDATE it.all_types SET id = " + (base + 6) + " WHERE id = " + (base + 4));
    }

    private static List<List<String>> allTypes(String node) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id::text");
        for (String column : ALL_TYPES_COLUMNS.split(",\\s*")) {
            sql.append(", ").append(column).append("::text");
        }
        sql.append(", syncline_hlc::text, syncline_node, syncline_vv::text FROM it.all_types t ORDER BY t.id");
        return cluster.queryRows(node, sql.toString());
    }

    // ------------------------------------------------------------------------------ atomicity

    @Test
    void multiRowTransactionIsNeverSeenHalfApplied() throws Exception {
        long seed = System.nanoTime();
        System.out.println("[atomicity] seed " + seed);
        int accounts = 20;
        long total = accounts * 1_000L;
        int batchSize = 10;
        cluster.execute(A, "INSERT INTO it.accounts SELECT g, 1000 FROM generate_series(1, " + accounts + ") g");
        await("the accounts reach " + B).atMost(WAIT)
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.accounts") == accounts);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicBoolean observing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicLong transfers = new AtomicLong();
        Map<String, AtomicLong> batches = Map.of(A, new AtomicLong(), B, new AtomicLong());
        Map<String, Set<String>> statesSeen = Map.of(A, concurrentSet(), B, concurrentSet());
        AtomicLong observations = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(5);
        List<Future<?>> writers = new ArrayList<>();
        List<Future<?>> observers = new ArrayList<>();
        try {
            writers.add(threads.submit(() -> transfer(seed, accounts, writing, transfers)));
            writers.add(threads.submit(() -> writeBatches(A, batchSize, writing, batches.get(A))));
            writers.add(threads.submit(() -> writeBatches(B, batchSize, writing, batches.get(B))));
            observers.add(threads.submit(() -> observe(B, total, accounts, batchSize, observing, violations,
                    statesSeen.get(B), observations)));
            observers.add(threads.submit(() -> observe(A, total, accounts, batchSize, observing, violations,
                    statesSeen.get(A), observations)));
            await("transfers and batches written while the observers watch").atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> anyDone(writers) || transfers.get() >= 400 && batches.get(B).get() >= 150);
            writing.set(false);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            cluster.awaitQuiet(WAIT);
            observing.set(false);
            for (Future<?> observer : observers) {
                observer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            observing.set(false);
            threads.shutdownNow();
        }

        System.out.printf("[atomicity] %d transfers, %d + %d batches of %d rows, %d observations, %d distinct account"
                + " states seen on %s, %d batch states on %s%n", transfers.get(), batches.get(A).get(), batches.get(B).get(),
                batchSize, observations.get(), statesSeen.get(B).size(), B, statesSeen.get(A).size(), A);
        assertThat(violations).as("half-applied transactions seen").isEmpty();
        // The observers really watched replication in progress, not only the final state: the
        // first state, the last, and at least one in between. How many more depends on how the
        // applier grouped transactions, which depends on the machine's load.
        assertThat(statesSeen.get(B)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(statesSeen.get(A)).hasSizeGreaterThanOrEqualTo(3);
        ConvergenceCheck.Result result = cluster.compare(Map.of("it.accounts", "id", "it.batch_rows", "(batch_id, n)"));
        assertThat(result.examples()).isEmpty();
        assertThat(cluster.queryLong(B, "SELECT sum(balance) FROM it.accounts")).isEqualTo(total);
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM it.batch_rows"))
                .isEqualTo((batches.get(A).get() + batches.get(B).get()) * batchSize);
    }

    private static Set<String> concurrentSet() {
        return java.util.concurrent.ConcurrentHashMap.newKeySet();
    }

    private static boolean anyDone(List<Future<?>> futures) {
        return futures.stream().anyMatch(Future::isDone);
    }

    /** On dc-a: each transaction makes two transfers between random accounts, four rows, same total. */
    private static Void transfer(long seed, int accounts, AtomicBoolean writing, AtomicLong done) throws SQLException {
        Random random = new Random(seed);
        try (Connection connection = cluster.connect(A);
                PreparedStatement move = connection.prepareStatement(
                        "UPDATE it.accounts SET balance = balance + ? WHERE id = ?")) {
            connection.setAutoCommit(false);
            while (writing.get()) {
                for (int t = 0; t < 2; t++) {
                    int from = 1 + random.nextInt(accounts);
                    int to = 1 + (from + random.nextInt(accounts - 1)) % accounts;
                    long amount = 1 + random.nextInt(100);
                    move.setLong(1, -amount);
                    move.setInt(2, from);
                    move.addBatch();
                    move.setLong(1, amount);
                    move.setInt(2, to);
                    move.addBatch();
                }
                move.executeBatch();
                connection.commit();
                done.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pace: about 100 transactions/s
            }
        }
        return null;
    }

    /** Each transaction inserts {@code size} rows of one new batch. */
    private static Void writeBatches(String node, int size, AtomicBoolean writing, AtomicLong done) throws SQLException {
        try (Connection connection = cluster.connect(node);
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO it.batch_rows (batch_id, n, payload) SELECT ?, g, md5(g::text) FROM generate_series(1, ?) g")) {
            connection.setAutoCommit(false);
            while (writing.get()) {
                insert.setString(1, node + "-" + done.get());
                insert.setInt(2, size);
                insert.executeUpdate();
                connection.commit();
                done.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        return null;
    }

    /** Reads in single statements (one snapshot each) until told to stop; records every torn state. */
    private static Void observe(String node, long total, int accounts, int batchSize, AtomicBoolean observing,
            ConcurrentLinkedQueue<String> violations, Set<String> statesSeen, AtomicLong observations) throws SQLException {
        String remote = node.equals(A) ? B : A;
        try (Connection connection = cluster.connect(node); Statement statement = connection.createStatement()) {
            while (observing.get()) {
                if (node.equals(B)) {
                    try (ResultSet rs = statement.executeQuery(
                            "SELECT sum(balance), count(*), string_agg(balance::text, ',' ORDER BY id) FROM it.accounts")) {
                        rs.next();
                        if (rs.getLong(1) != total || rs.getLong(2) != accounts) {
                            violations.add(node + ": accounts sum " + rs.getLong(1) + " over " + rs.getLong(2) + " rows");
                        }
                        statesSeen.add(rs.getString(3));
                    }
                }
                try (ResultSet rs = statement.executeQuery("SELECT batch_id, count(*) FROM it.batch_rows"
                        + " GROUP BY batch_id HAVING count(*) <> " + batchSize)) {
                    while (rs.next()) {
                        violations.add(node + ": batch " + rs.getString(1) + " with " + rs.getLong(2) + " rows");
                    }
                }
                if (node.equals(A)) {
                    try (ResultSet rs = statement.executeQuery(
                            "SELECT count(*) FROM it.batch_rows WHERE batch_id LIKE '" + remote + "-%'")) {
                        rs.next();
                        statesSeen.add(rs.getString(1));
                    }
                }
                observations.incrementAndGet();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------ conflicts

    @Test
    void concurrentConflictingWritesConvergeToTheLastWriteWinner() throws Exception {
        int rows = 30;
        cluster.execute(A, "INSERT INTO it.contested SELECT g, 'base' FROM generate_series(1, " + rows + ") g");
        await("the base rows reach " + B).atMost(WAIT)
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.contested") == rows);
        cluster.awaitQuiet(WAIT);

        // With both nodes stopped, neither side can see the other's write: every key gets two concurrent versions.
        cluster.stopAllNodes();
        try (Connection a = cluster.connect(A); Connection b = cluster.connect(B);
                PreparedStatement updateA = a.prepareStatement("UPDATE it.contested SET value = ? WHERE id = ?");
                PreparedStatement updateB = b.prepareStatement("UPDATE it.contested SET value = ? WHERE id = ?");
                PreparedStatement deleteA = a.prepareStatement("DELETE FROM it.contested WHERE id = ?")) {
            for (int id = 1; id <= rows; id++) {
                // Alternate who writes last, so that each side wins some keys; every fifth key is deleted on dc-a.
                boolean deleteOnA = id % 5 == 0;
                if (id % 2 == 0) {
                    writeOnA(deleteOnA ? deleteA : updateA, deleteOnA, id);
                    update(updateB, "b-" + id, id);
                } else {
                    update(updateB, "b-" + id, id);
                    writeOnA(deleteOnA ? deleteA : updateA, deleteOnA, id);
                }
            }
        }
        Map<Integer, Version> versionsA = contestedVersions(A);
        Map<Integer, Version> versionsB = contestedVersions(B);
        cluster.startAllNodes();
        cluster.awaitQuiet(WAIT);

        ConvergenceCheck.Result result = cluster.compare(Map.of("it.contested", "id"));
        assertThat(result.examples()).as("rows that differ").isEmpty();
        Map<Integer, Version> finalA = contestedVersions(A);
        int remoteWins = 0;
        for (int id = 1; id <= rows; id++) {
            Version a = versionsA.get(id);
            Version b = versionsB.get(id);
            Version winner = a.compareTo(b) > 0 ? a : b;
            assertThat(finalA.get(id)).as("key %d: dc-a had %s, dc-b had %s", id, a, b).isEqualTo(winner);
            remoteWins += winner == a ? 0 : 1;
        }
        assertThat(remoteWins).as("keys dc-b won").isBetween(1, rows - 1);
        for (String node : cluster.names()) {
            List<List<String>> logged = cluster.queryRows(node, "SELECT pk->>'id', remote_version::text, count(*)"
                    + " FROM syncline.conflict_log WHERE table_name = 'it.contested' GROUP BY 1, 2 ORDER BY 1::int");
            assertThat(logged).as("conflicts logged on %s", node).hasSize(rows);
            assertThat(logged).as("conflicts logged twice on %s", node).allSatisfy(row -> assertThat(row.get(2)).isEqualTo("1"));
            System.out.printf("[conflicts] %s logged %d conflicts on it.contested, once each%n", node, logged.size());
        }
    }

    /** A row version; a deleted row is its tombstone's version, value null. Ordered like LWW: (hlc, node). */
    private record Version(long hlc, String node, String value) implements Comparable<Version> {
        @Override
        public int compareTo(Version other) {
            int byClock = Long.compare(hlc, other.hlc);
            return byClock != 0 ? byClock : node.compareTo(other.node);
        }
    }

    private static void writeOnA(PreparedStatement statement, boolean delete, int id) throws SQLException {
        if (delete) {
            statement.setInt(1, id);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        } else {
            update(statement, "a-" + id, id);
        }
    }

    private static void update(PreparedStatement statement, String value, int id) throws SQLException {
        statement.setString(1, value);
        statement.setInt(2, id);
        assertThat(statement.executeUpdate()).isEqualTo(1);
    }

    private static Map<Integer, Version> contestedVersions(String node) throws SQLException {
        Map<Integer, Version> versions = new HashMap<>();
        for (List<String> row : cluster.queryRows(node, "SELECT id, syncline_hlc, syncline_node, value FROM it.contested")) {
            versions.put(Integer.parseInt(row.get(0)), new Version(Long.parseLong(row.get(1)), row.get(2), row.get(3)));
        }
        for (List<String> row : cluster.queryRows(node, "SELECT pk->>'id', hlc, node_id FROM syncline.tombstone"
                + " WHERE table_name = 'it.contested'")) {
            versions.putIfAbsent(Integer.parseInt(row.get(0)), new Version(Long.parseLong(row.get(1)), row.get(2), null));
        }
        return versions;
    }

    // ------------------------------------------------------------------------------ clock skew

    @Test
    void aWriteMadeAfterObservingTheOtherDcWinsEvenWithItsClockFiveSecondsBehind() throws Exception {
        try (Connection b = cluster.connect(B)) {
            ReplicationSchemaInstaller.setClockOffset(b, -5_000);
        }
        try {
            cluster.execute(A, "INSERT INTO it.skewed VALUES (1, 'written on dc-a')");
            await("dc-b sees dc-a's row").atMost(WAIT)
                    .until(() -> "written on dc-a".equals(cluster.queryString(B, "SELECT value FROM it.skewed WHERE id = 1")));
            cluster.execute(B, "UPDATE it.skewed SET value = 'updated on dc-b after seeing dc-a' WHERE id = 1");
            cluster.awaitQuiet(WAIT);

            for (String node : cluster.names()) {
                List<List<String>> row = cluster.queryRows(node, "SELECT value, syncline_node FROM it.skewed WHERE id = 1");
                assertThat(row).as(node).containsExactly(List.of("updated on dc-b after seeing dc-a", B));
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.conflict_log WHERE table_name = 'it.skewed'"))
                        .as("conflicts logged on %s for a causally later write", node).isZero();
            }
            assertThat(cluster.compare(Map.of("it.skewed", "id")).examples()).isEmpty();
        } finally {
            try (Connection b = cluster.connect(B)) {
                ReplicationSchemaInstaller.setClockOffset(b, 0);
            }
        }
    }

    // ------------------------------------------------------------------------------ quiet detection

    @Test
    void quietIsDetectedWhenTheWalEndsWithRecordsTheCaptureGetsNoEventFor() throws Exception {
        cluster.awaitQuiet(WAIT);
        // DDL and a write to a table outside the publication: WAL that no capture event covers.
        cluster.execute(A, "CREATE TABLE public.unreplicated (id int PRIMARY KEY)", "INSERT INTO public.unreplicated VALUES (1)");
        Duration took = cluster.awaitQuiet(Duration.ofSeconds(60));
        assertThat(took).isLessThan(Duration.ofSeconds(20));
    }

    // ------------------------------------------------------------------------------ no echo

    @Test
    void appliedChangesAreNotCapturedAgain() throws Exception {
        cluster.awaitQuiet(WAIT);
        // The deletes of other tests make the nodes exchange progress reports until their tombstones are collected.
        cluster.awaitTombstonesCollected(WAIT);
        Map<String, Integer> committed = Map.of(A, 25, B, 15);
        Map<String, Long> publishedBefore = new HashMap<>();
        Map<String, Integer> outboxBefore = new HashMap<>();
        for (String node : cluster.names()) {
            publishedBefore.put(node, cluster.node(node).capture().publishedTransactions());
            outboxBefore.put(node, cluster.outbox(node).size());
        }
        for (String node : cluster.names()) {
            long base = node.equals(A) ? 0 : 1_000_000;
            for (int i = 0; i < committed.get(node); i++) {
                cluster.execute(node, "INSERT INTO it.echo VALUES (" + (base + 2 * i) + ", 'x'), (" + (base + 2 * i + 1) + ", 'y')");
            }
        }
        cluster.awaitQuiet(WAIT);
        assertThat(cluster.compare(Map.of("it.echo", "id")).examples()).isEmpty();
        assertThat(cluster.queryLong(A, "SELECT count(*) FROM it.echo")).isEqualTo(2L * (25 + 15));

        Map<String, Long> ends = new HashMap<>();
        cluster.names().forEach(node -> ends.put(node, cluster.outboxEndOffset(node)));
        await("the outboxes stop growing").atMost(WAIT).during(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster.names().stream().allMatch(node -> cluster.outboxEndOffset(node) == ends.get(node)));

        for (String node : cluster.names()) {
            SynclineNode running = cluster.node(node);
            assertThat(running.capture().publishedTransactions() - publishedBefore.get(node))
                    .as("transactions %s's capture published", node).isEqualTo(committed.get(node).longValue());
            List<OutboxRecord> outbox = cluster.outbox(node);
            List<OutboxRecord> added = outbox.subList(outboxBefore.get(node), outbox.size());
            assertThat(added).as("new records in %s's outbox", node).hasSize(committed.get(node));
            assertThat(outbox).as("%s's outbox holds only its own transactions", node)
                    .allSatisfy(r -> assertThat(r.origin()).isEqualTo(node));
            assertThat(new HashSet<>(added.stream().map(OutboxRecord::position).toList())).hasSize(committed.get(node));
            if (running.capture().serverFiltersAppliedTransactions()) {
                assertThat(running.capture().appliedTransactionsSkipped())
                        .as("applied transactions %s's capture received although the server filters them", node).isZero();
            } else {
                assertThat(running.capture().appliedTransactionsSkipped())
                        .as("applied transactions %s's capture recognised and skipped", node).isPositive();
            }
            for (LinkStatus link : running.links()) {
                assertThat(link.echoTransactions()).as("%s <- %s echoes", node, link.upstream()).isZero();
                assertThat(link.droppedTransactions()).as("%s <- %s dropped", node, link.upstream()).isZero();
                assertThat(link.forwardedTransactions()).as("%s <- %s forwarded", node, link.upstream()).isZero();
                assertThat(link.lastError()).as("%s <- %s last error", node, link.upstream()).isNull();
            }
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.applied_position WHERE origin_node = '" + node + "'"))
                    .as("applied positions of %s's own transactions on %s", node, node).isZero();
            System.out.printf("[echo] %s: published %d, skipped %d applied transactions, lag p50 %d ms p99 %d ms%n", node,
                    running.capture().publishedTransactions(), running.capture().appliedTransactionsSkipped(),
                    running.lag().percentile(50), running.lag().percentile(99));
        }
    }
}
