package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.it.support.DcCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Thousands of random concurrent writes at three datacenters while they replicate: inserts,
 * updates and deletes of a small shared key space (lww), increments and decrements of shared
 * counters ({@code delta}), and writes to keys that only one datacenter ever touches. Afterwards
 * every database must be identical, the counters must hold the sum of every increment made, no
 * uncontested write may be lost, and every logged conflict must name two versions that really
 * were concurrent.
 *
 * <p>The seed is printed; {@code -Dsyncline.seed=<seed>} replays the same workload (the
 * interleaving with replication still varies).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomisedConvergenceIT {

    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final int OPERATIONS_PER_NODE = Integer.getInteger("syncline.ops", 1_200);
    private static final int SHARED_KEYS = 12;
    private static final int COUNTERS = 4;
    private static final int SOLO_KEYS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DcCluster cluster;

    @BeforeAll
    void start() {
        cluster = DcCluster.builder().nodes(3)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.shared (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE it.counter (id int PRIMARY KEY, hits bigint NOT NULL DEFAULT 0)")
                .schema("CREATE TABLE it.solo (id int PRIMARY KEY, v text)")
                .replicate("it.shared", "it.counter", "it.solo")
                .conflict("it.counter", "{columns: {hits: {policy: delta}}}")
                .start();
        cluster.startAllNodes();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What one datacenter's writer did. */
    private record Written(long counterDelta, Map<Integer, String> soloLast, int operations) {}

    @Test
    void randomConcurrentWritesConvergeWithoutLosingIncrementsOrUncontestedWrites() throws Exception {
        long seed = Long.getLong("syncline.seed", System.nanoTime());
        System.out.println("[randomised] seed " + seed + " (replay with -Dsyncline.seed=" + seed + ")");
        String replay = "seed " + seed;
        cluster.execute("dc-a", "INSERT INTO it.counter SELECT g, 0 FROM generate_series(1, " + COUNTERS + ") g");
        cluster.awaitQuiet(WAIT);

        long startedAt = System.nanoTime();
        List<String> nodes = cluster.names();
        ExecutorService writers = Executors.newFixedThreadPool(nodes.size());
        List<Future<Written>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < nodes.size(); i++) {
                int index = i;
                futures.add(writers.submit(() -> write(nodes.get(index), index, new Random(seed + 31L * index))));
            }
            List<Written> written = new ArrayList<>();
            for (Future<Written> future : futures) {
                written.add(future.get(5, TimeUnit.MINUTES));
            }
            long writeMillis = (System.nanoTime() - startedAt) / 1_000_000;
            Duration quiet = cluster.awaitQuiet(WAIT);
            int operations = written.stream().mapToInt(Written::operations).sum();
            System.out.printf("[randomised] %d operations in %d ms, quiet %d ms later%n", operations, writeMillis, quiet.toMillis());

            assertThat(cluster.compare(Map.of("it.shared", "id", "it.counter", "id", "it.solo", "id")).examples())
                    .as("rows that differ, metadata included (%s)", replay).isEmpty();

            long expectedTotal = written.stream().mapToLong(Written::counterDelta).sum();
            for (String node : nodes) {
                assertThat(cluster.queryLong(node, "SELECT sum(hits) FROM it.counter"))
                        .as("counter total at %s: the sum of every increment made (%s)", node, replay).isEqualTo(expectedTotal);
                Map<Integer, String> solo = new TreeMap<>();
                cluster.queryRows(node, "SELECT id, v FROM it.solo").forEach(r -> solo.put(Integer.parseInt(r.get(0)), r.get(1)));
                Map<Integer, String> expected = new TreeMap<>();
                written.forEach(w -> w.soloLast().forEach((key, value) -> {
                    if (value != null) {
                        expected.put(key, value);
                    }
                }));
                assertThat(solo).as("uncontested rows at %s: each writer's last value (%s)", node, replay).isEqualTo(expected);
            }
            assertConflictLogNamesConcurrentVersions(replay);
        } finally {
            writers.shutdownNow();
        }
    }

    /**
     * One datacenter's writer: transactions of one to three operations, paced so that replication
     * interleaves with them.
     */
    private Written write(String node, int index, Random random) throws Exception {
        long delta = 0;
        Map<Integer, String> soloLast = new HashMap<>();
        int done = 0;
        int retried = 0;
        try (Connection connection = cluster.connect(node);
                PreparedStatement upsert = connection.prepareStatement(
                        "INSERT INTO it.shared VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v");
                PreparedStatement update = connection.prepareStatement("UPDATE it.shared SET v = ? WHERE id = ?");
                PreparedStatement delete = connection.prepareStatement("DELETE FROM it.shared WHERE id = ?");
                PreparedStatement increment = connection.prepareStatement("UPDATE it.counter SET hits = hits + ? WHERE id = ?");
                PreparedStatement soloUpsert = connection.prepareStatement(
                        "INSERT INTO it.solo VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v");
                PreparedStatement soloDelete = connection.prepareStatement("DELETE FROM it.solo WHERE id = ?")) {
            connection.setAutoCommit(false);
            while (done < OPERATIONS_PER_NODE) {
                int inTransaction = 1 + random.nextInt(3);
                long transactionDelta = 0;
                Map<Integer, String> transactionSolo = new HashMap<>();
                try {
                for (int op = 0; op < inTransaction; op++) {
                    String value = node + "-" + done + "-" + op;
                    int choice = random.nextInt(100);
                    if (choice < 20) {
                        upsert.setInt(1, 1 + random.nextInt(SHARED_KEYS));
                        upsert.setString(2, value);
                        upsert.executeUpdate();
                    } else if (choice < 40) {
                        update.setString(1, value);
                        update.setInt(2, 1 + random.nextInt(SHARED_KEYS));
                        update.executeUpdate();
                    } else if (choice < 48) {
                        delete.setInt(1, 1 + random.nextInt(SHARED_KEYS));
                        delete.executeUpdate();
                    } else if (choice < 80) {
                        long d = random.nextInt(21) - 8;
                        increment.setLong(1, d);
                        increment.setInt(2, 1 + random.nextInt(COUNTERS));
                        assertThat(increment.executeUpdate()).isEqualTo(1);
                        transactionDelta += d;
                    } else {
                        int key = (index + 1) * 1_000 + 1 + random.nextInt(SOLO_KEYS);
                        if (choice < 93) {
                            soloUpsert.setInt(1, key);
                            soloUpsert.setString(2, value);
                            soloUpsert.executeUpdate();
                            transactionSolo.put(key, value);
                        } else {
                            soloDelete.setInt(1, key);
                            soloDelete.executeUpdate();
                            transactionSolo.put(key, null);
                        }
                    }
                }
                connection.commit();
                } catch (java.sql.SQLException e) {
                    // The applier writes the same rows in its own transactions: a deadlock or
                    // serialization failure rolls this one back, as it would for any application.
                    if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                        throw e;
                    }
                    connection.rollback();
                    retried++;
                    continue;
                }
                done += inTransaction;
                delta += transactionDelta;
                soloLast.putAll(transactionSolo);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(6)));
            }
        }
        System.out.printf("[randomised] %s: %d operations, %d transactions rolled back by deadlocks%n", node, done, retried);
        return new Written(delta, soloLast, done);
    }

    /** Every logged conflict with a local version names two versions neither of which had seen the other. */
    private void assertConflictLogNamesConcurrentVersions(String replay) throws Exception {
        Map<String, Integer> byTable = new TreeMap<>();
        for (String node : cluster.names()) {
            List<List<String>> entries = cluster.queryRows(node, "SELECT table_name, conflict_type, local_version::text,"
                    + " remote_version::text, pk::text FROM syncline.conflict_log ORDER BY id");
            for (List<String> entry : entries) {
                byTable.merge(node + " " + entry.get(0) + " " + entry.get(1), 1, Integer::sum);
                if (entry.get(2) == null) {
                    assertThat(entry.get(1)).as("a conflict without a local version at %s (%s)", node, replay)
                            .isEqualTo("update_missing");
                    continue;
                }
                Map<String, Long> local = vector(entry.get(2));
                Map<String, Long> remote = vector(entry.get(3));
                assertThat(dominates(local, remote) || dominates(remote, local))
                        .as("%s %s %s %s at %s: local %s, remote %s are not concurrent (%s)", entry.get(0), entry.get(4),
                                entry.get(1), node, node, local, remote, replay)
                        .isFalse();
            }
        }
        System.out.println("[randomised] conflicts logged: " + byTable);
        assertThat(byTable.keySet()).as("conflicts on the uncontested table (%s)", replay).noneMatch(k -> k.contains("it.solo"));
        assertThat(byTable.keySet()).as("the workload made conflicts (%s)", replay)
                .anyMatch(k -> k.contains("it.shared")).anyMatch(k -> k.contains("it.counter"));
    }

    private static Map<String, Long> vector(String versionJson) throws Exception {
        Map<String, Long> vector = new TreeMap<>();
        JsonNode vv = JSON.readTree(versionJson).get("vv");
        vv.fields().forEachRemaining(e -> vector.put(e.getKey(), e.getValue().asLong()));
        return vector;
    }

    /** Whether {@code a} has seen everything {@code b} has: a >= b in every entry. */
    private static boolean dominates(Map<String, Long> a, Map<String, Long> b) {
        return b.entrySet().stream().allMatch(e -> a.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }
}
