package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.policy.UnionResolver;
import io.syncline.it.support.DcCluster;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every conflict type under every policy where it matters, end to end: three datacenters with
 * their own PostgreSQL, Kafka and Syncline node. Concurrent versions are made by stopping the
 * nodes, writing at several datacenters, and starting the nodes again; the writes are made in the
 * order dc-a, dc-b, dc-c, so their clocks are in that order too. The expected row of each case is
 * checked at every node, and so are the conflict log entries of its key.
 *
 * <p>All cases share one cluster start: one table per policy, one key per conflict type.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConflictResolutionIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final String C = "dc-c";

    /** Keys of the text-valued tables, one per conflict type. */
    private static final int INSERT_INSERT = 1;
    private static final int UPDATE_UPDATE = 2;
    private static final int UPDATE_THEN_DELETE = 3;
    private static final int DELETE_THEN_UPDATE = 4;
    private static final int DELETE_DELETE = 5;
    private static final int KEY_CHANGE = 6;
    private static final int MOVED_TO = 60;
    private static final int UPDATE_MISSING = 7;

    /** Text-valued tables (id, v) that get every conflict type, and their conflict section. */
    private static final Map<String, String> TEXT_TABLES = new LinkedHashMap<>();

    static {
        TEXT_TABLES.put("it.lww", "{policy: lww}");
        TEXT_TABLES.put("it.prio", "{policy: origin-priority, origin-priority: [dc-a, dc-c, dc-b]}");
        TEXT_TABLES.put("it.custom", "{policy: custom, resolver: " + UnionResolver.class.getName() + "}");
    }

    private DcCluster cluster;

    @BeforeAll
    void start() throws Exception {
        long startedAt = System.nanoTime();
        DcCluster.Builder builder = DcCluster.builder().nodes(3).schema("CREATE SCHEMA it");
        for (Map.Entry<String, String> table : TEXT_TABLES.entrySet()) {
            builder.schema("CREATE TABLE " + table.getKey() + " (id int PRIMARY KEY, v text)")
                    .replicate(table.getKey()).conflict(table.getKey(), table.getValue());
        }
        cluster = builder
                .schema("CREATE TABLE it.keep_local (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE it.keep_remote (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE it.mx (id int PRIMARY KEY, n bigint)")
                .schema("CREATE TABLE it.mn (id int PRIMARY KEY, n bigint)")
                .schema("CREATE TABLE it.counter (id int PRIMARY KEY, hits bigint NOT NULL DEFAULT 0, label text)")
                .schema("CREATE TABLE it.merged (id int PRIMARY KEY, email text, phone text)")
                .replicate("it.keep_local", "it.keep_remote", "it.mx", "it.mn", "it.counter", "it.merged")
                .conflict("it.keep_local", "{policy: keep-local}")
                .conflict("it.keep_remote", "{policy: keep-remote}")
                .conflict("it.mx", "{policy: max}")
                .conflict("it.mn", "{policy: min}")
                .conflict("it.counter", "{columns: {hits: {policy: delta}}}")
                .conflict("it.merged", "{policy: column-merge}")
                .start();
        System.out.printf("[timing] %s: 3 datacenters prepared in %d ms%n", cluster.backendName(),
                (System.nanoTime() - startedAt) / 1_000_000);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyConflictTypeResolvesToTheExpectedRowAtEveryNode() throws Exception {
        long startedAt = System.nanoTime();
        // Rows that the conflicting writes find, replicated while the nodes run.
        cluster.stopAllNodes();
        cluster.startAllNodes();
        for (String table : List.of("it.lww", "it.prio", "it.custom", "it.keep_local", "it.keep_remote")) {
            cluster.execute(A, "INSERT INTO " + table + " SELECT g, 'seed' FROM generate_series(2, 6) g");
        }
        cluster.execute(A, "INSERT INTO it.mx VALUES (2, 0)", "INSERT INTO it.mn VALUES (2, 100)",
                "INSERT INTO it.counter VALUES (2, 100, 'seed')", "INSERT INTO it.merged VALUES (2, 'e0', 'p0'), (3, 'e0', 'p0')");
        cluster.awaitQuiet(WAIT);
        cluster.stopAllNodes();

        for (String table : TEXT_TABLES.keySet()) {
            cluster.execute(A, "INSERT INTO " + table + " VALUES (1, 'a1')", "UPDATE " + table + " SET v = 'a2' WHERE id = 2",
                    "UPDATE " + table + " SET v = 'a3' WHERE id = 3", "DELETE FROM " + table + " WHERE id = 4",
                    "DELETE FROM " + table + " WHERE id = 5", "UPDATE " + table + " SET id = 60, v = 'a6' WHERE id = 6");
        }
        cluster.execute(A, "UPDATE it.keep_local SET v = 'a2' WHERE id = 2", "UPDATE it.keep_remote SET v = 'a2' WHERE id = 2",
                "INSERT INTO it.mx VALUES (1, 5)", "UPDATE it.mx SET n = 30 WHERE id = 2",
                "INSERT INTO it.mn VALUES (1, 5)", "UPDATE it.mn SET n = 30 WHERE id = 2",
                "INSERT INTO it.counter VALUES (1, 3, 'a')", "UPDATE it.counter SET hits = hits + 5, label = 'a' WHERE id = 2",
                "UPDATE it.merged SET email = 'ea' WHERE id = 2", "UPDATE it.merged SET email = 'x@a' WHERE id = 3");
        for (String table : TEXT_TABLES.keySet()) {
            cluster.execute(B, "INSERT INTO " + table + " VALUES (1, 'b1')", "UPDATE " + table + " SET v = 'b2' WHERE id = 2",
                    "DELETE FROM " + table + " WHERE id = 3", "UPDATE " + table + " SET v = 'b4' WHERE id = 4",
                    "DELETE FROM " + table + " WHERE id = 5", "UPDATE " + table + " SET v = 'b6' WHERE id = 6");
        }
        cluster.execute(B, "UPDATE it.keep_local SET v = 'b2' WHERE id = 2", "UPDATE it.keep_remote SET v = 'b2' WHERE id = 2",
                "INSERT INTO it.mx VALUES (1, 3)", "UPDATE it.mx SET n = 10 WHERE id = 2",
                "INSERT INTO it.mn VALUES (1, 3)", "UPDATE it.mn SET n = 10 WHERE id = 2",
                "INSERT INTO it.counter VALUES (1, 4, 'b')", "UPDATE it.counter SET hits = hits + 7 WHERE id = 2",
                "UPDATE it.merged SET phone = 'pb' WHERE id = 2", "UPDATE it.merged SET email = 'x@b' WHERE id = 3");
        for (String table : TEXT_TABLES.keySet()) {
            cluster.execute(C, "UPDATE " + table + " SET v = 'c2' WHERE id = 2");
        }
        cluster.execute(C, "UPDATE it.mx SET n = 20 WHERE id = 2", "UPDATE it.mn SET n = 20 WHERE id = 2",
                "UPDATE it.counter SET hits = hits - 2, label = 'c' WHERE id = 2");

        cluster.startAllNodes();
        cluster.awaitQuiet(WAIT);
        System.out.printf("[timing] concurrent versions made and resolved in %d ms%n", (System.nanoTime() - startedAt) / 1_000_000);
        printConflictLog();

        // lww: the greatest (HLC, origin) wins; the clocks follow the write order dc-a, dc-b, dc-c.
        assertRowsEverywhere("it.lww", "1=b1", "2=c2", "4=b4", "6=b6", "60=a6");
        // origin-priority dc-a > dc-c > dc-b, whatever the clocks.
        assertRowsEverywhere("it.prio", "1=a1", "2=a2", "3=a3", "60=a6");
        // The custom resolver: a row beats a delete, two rows merge into the union of their tokens.
        assertRowsEverywhere("it.custom", "1=a1|b1", "2=a2|b2|c2", "3=a3", "4=b4", "6=b6", "60=a6");
        assertRowsEverywhere("it.mx", "1=5", "2=30");
        assertRowsEverywhere("it.mn", "1=3", "2=10");
        // delta: concurrent inserts and increments all count; the other columns follow lww.
        assertRowsEverywhere("it.counter", "1=7|b", "2=110|c");
        // column-merge: different columns both survive, the same column falls back to lww.
        assertRowsEverywhere("it.merged", "2=ea|pb", "3=x@b|p0");
        // keep-local / keep-remote do not converge by design; deterministic at the two writers.
        assertThat(rows(A, "it.keep_local")).containsExactly("2=a2", "3=seed", "4=seed", "5=seed", "6=seed");
        assertThat(rows(B, "it.keep_local")).containsExactly("2=b2", "3=seed", "4=seed", "5=seed", "6=seed");
        assertThat(rows(A, "it.keep_remote")).containsExactly("2=b2", "3=seed", "4=seed", "5=seed", "6=seed");
        assertThat(rows(B, "it.keep_remote")).containsExactly("2=a2", "3=seed", "4=seed", "5=seed", "6=seed");
        for (String table : List.of("it.keep_local", "it.keep_remote")) {
            assertThat(rows(C, table).get(0)).as("%s at dc-c, which wrote nothing", table).isIn("2=a2", "2=b2");
        }

        Map<String, String> rules = Map.of("it.lww", "lww", "it.prio", "origin-priority[dc-a, dc-c, dc-b]",
                "it.custom", "custom:" + UnionResolver.class.getName());
        for (String table : TEXT_TABLES.keySet()) {
            String rule = rules.get(table);
            assertLogged(table, INSERT_INSERT, rule, Set.of("insert_insert"), 1, cluster.names());
            // Three concurrent writers: every node resolves its own version against two remote ones.
            assertLogged(table, UPDATE_UPDATE, rule, Set.of("update_update"), 2, cluster.names());
            assertLogged(table, UPDATE_THEN_DELETE, rule, Set.of("update_delete", "delete_update"), 1, cluster.names());
            assertLogged(table, DELETE_THEN_UPDATE, rule, Set.of("update_delete", "delete_update"), 1, cluster.names());
            assertLogged(table, DELETE_DELETE, rule, Set.of("delete_delete"), 1, cluster.names());
            // dc-a moved key 6 to 60 while dc-b updated 6: dc-b, holding the row, meets dc-a's key
            // change (key_change); dc-a, holding the old key's tombstone, meets dc-b's update
            // (delete_update); dc-c sees whichever arrives second.
            assertLogged(table, KEY_CHANGE, rule, Set.of("key_change"), 1, List.of(B));
            assertLogged(table, KEY_CHANGE, rule, Set.of("delete_update"), 1, List.of(A));
            assertLogged(table, KEY_CHANGE, rule, Set.of("key_change", "delete_update"), 1, List.of(C));
            assertLogged(table, MOVED_TO, rule, Set.of(), 0, cluster.names());
        }
        assertLogged("it.mx", 2, "max", Set.of("update_update"), 2, cluster.names());
        assertLogged("it.mn", 1, "min", Set.of("insert_insert"), 1, cluster.names());
        assertLogged("it.counter", 2, "lww (hits=delta)", Set.of("update_update"), 2, cluster.names());
        assertLogged("it.merged", 2, "column-merge", Set.of("update_update"), 1, cluster.names());
        assertLogged("it.keep_local", 2, "keep-local", Set.of("update_update"), 1, cluster.names());
        assertLogged("it.keep_remote", 2, "keep-remote", Set.of("update_update"), 1, cluster.names());

        assertThat(cluster.compare(Map.of("it.lww", "id", "it.prio", "id", "it.custom", "id", "it.mx", "id", "it.mn", "id",
                "it.counter", "id", "it.merged", "id")).examples()).as("rows that differ, metadata included").isEmpty();
        for (String node : cluster.names()) {
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.dead_letter")).as("parked on %s", node).isZero();
        }
    }

    /**
     * An update that reaches dc-c before the insert it follows: dc-a inserts, dc-b updates after
     * seeing the insert, and dc-c reads dc-b's outbox while dc-a's Kafka is down.
     */
    @Test
    void anUpdateArrivingBeforeItsInsertIsAppliedAndTheLateInsertSkipped() throws Exception {
        cluster.stopAllNodes();
        cluster.startNode(A);
        cluster.startNode(B);
        cluster.execute(A, "INSERT INTO it.lww VALUES (7, 'a7')", "INSERT INTO it.counter VALUES (7, 10, 'x')");
        await("dc-b has dc-a's inserts").atMost(WAIT).until(() -> "a7".equals(value(B, "SELECT v FROM it.lww WHERE id = 7"))
                && "10".equals(value(B, "SELECT hits FROM it.counter WHERE id = 7")));
        cluster.execute(B, "UPDATE it.lww SET v = 'b7' WHERE id = 7", "UPDATE it.counter SET hits = hits + 5 WHERE id = 7");
        await("dc-a has dc-b's updates").atMost(WAIT).until(() -> "b7".equals(value(A, "SELECT v FROM it.lww WHERE id = 7"))
                && "15".equals(value(A, "SELECT hits FROM it.counter WHERE id = 7")));
        cluster.stopAllNodes();
        cluster.kafka(A).stop();
        try {
            cluster.startNode(C);
            await("dc-c applies dc-b's updates without dc-a's inserts").atMost(WAIT)
                    .until(() -> "b7".equals(value(C, "SELECT v FROM it.lww WHERE id = 7"))
                            && "15".equals(value(C, "SELECT hits FROM it.counter WHERE id = 7")));
        } finally {
            cluster.kafka(A).start();
        }
        cluster.startNode(A);
        cluster.startNode(B);
        cluster.awaitQuiet(WAIT);
        printConflictLog();

        for (String node : cluster.names()) {
            assertThat(value(node, "SELECT v FROM it.lww WHERE id = 7")).as(node).isEqualTo("b7");
            assertThat(value(node, "SELECT hits || '|' || label FROM it.counter WHERE id = 7")).as(node).isEqualTo("15|x");
        }
        assertThat(logTypes(C, "it.lww", UPDATE_MISSING)).containsExactly("update_missing");
        assertThat(logTypes(C, "it.counter", UPDATE_MISSING)).containsExactly("update_missing");
        assertLogged("it.lww", UPDATE_MISSING, "lww", Set.of(), 0, List.of(A, B));
        assertLogged("it.counter", UPDATE_MISSING, "lww (hits=delta)", Set.of(), 0, List.of(A, B));
        assertThat(cluster.compare(Map.of("it.lww", "id", "it.counter", "id")).examples()).isEmpty();
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * The table's rows as {@code id=v} (several columns joined by {@code |}) at every node; key 7
     * belongs to the other test, which may run first.
     */
    private void assertRowsEverywhere(String table, String... expected) throws SQLException {
        List<String> wanted = List.of(expected);
        for (String node : cluster.names()) {
            List<String> actual = new ArrayList<>(rows(node, table));
            actual.removeIf(row -> row.startsWith(UPDATE_MISSING + "="));
            assertThat(actual).as("%s at %s", table, node).containsExactlyElementsOf(wanted);
        }
    }

    private List<String> rows(String node, String table) throws SQLException {
        List<String> formatted = new ArrayList<>();
        for (List<String> row : cluster.queryRows(node, "SELECT id::text, concat_ws('|', " + valueColumns(table) + ") FROM "
                + table + " ORDER BY id")) {
            formatted.add(row.get(0) + "=" + row.get(1));
        }
        return formatted;
    }

    private static String valueColumns(String table) {
        return switch (table) {
            case "it.mx", "it.mn" -> "n";
            case "it.counter" -> "hits, label";
            case "it.merged" -> "email, phone";
            default -> "v";
        };
    }

    /** Each node logged {@code count} conflicts for the key, with the rule and types given. */
    private void assertLogged(String table, int id, String rule, Set<String> types, int count, List<String> nodes)
            throws SQLException {
        for (String node : nodes) {
            List<List<String>> logged = cluster.queryRows(node, "SELECT conflict_type, rule FROM syncline.conflict_log"
                    + " WHERE table_name = '" + table + "' AND pk->>'id' = '" + id + "'");
            assertThat(logged).as("%s key %d: conflicts logged at %s", table, id, node).hasSize(count)
                    .allSatisfy(entry -> {
                        assertThat(entry.get(0)).isIn(types);
                        assertThat(entry.get(1)).isEqualTo(rule);
                    });
        }
    }

    private List<String> logTypes(String node, String table, int id) throws SQLException {
        return cluster.queryRows(node, "SELECT conflict_type FROM syncline.conflict_log WHERE table_name = '" + table
                + "' AND pk->>'id' = '" + id + "' ORDER BY id").stream().map(row -> row.get(0)).toList();
    }

    private String value(String node, String sql) throws SQLException {
        return cluster.queryString(node, sql);
    }

    private void printConflictLog() throws SQLException {
        for (String node : cluster.names()) {
            Map<String, List<String>> byKey = new TreeMap<>();
            for (List<String> row : cluster.queryRows(node, "SELECT table_name || ' ' || (pk->>'id'), conflict_type || ' '"
                    + " || rule || ' -> ' || winner FROM syncline.conflict_log ORDER BY id")) {
                byKey.computeIfAbsent(row.get(0), k -> new ArrayList<>()).add(row.get(1));
            }
            System.out.printf("[conflict log] %s: %s%n", node, byKey);
        }
    }
}
