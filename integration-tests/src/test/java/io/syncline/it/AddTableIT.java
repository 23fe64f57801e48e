package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import io.syncline.node.runtime.LinkStatus;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A table created through {@code syncline ddl} joins replication at every DC while every DC writes,
 * without restarting a node: rows written into it at each DC right after it has the table reach
 * every DC, a row that reaches a DC before the table does waits there in {@code SCHEMA_MISMATCH}
 * (neither quarantined nor parked), the table takes later schema changes, and it still replicates after a
 * node restarts.
 */
class AddTableIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> NODES = List.of("dc-a", "dc-b", "dc-c");
    private static final String CREATE = "CREATE TABLE it.orders (id text PRIMARY KEY, origin text NOT NULL,"
            + " qty integer NOT NULL DEFAULT 0)";
    private static final String HAS_ORDERS = "SELECT count(*) FROM pg_class WHERE oid = to_regclass('it.orders')";

    @ParameterizedTest
    @EnumSource(value = TopologyKind.class, names = {"ALL_TO_ALL", "RING"})
    void aTableCreatedUnderLoadReplicatesFromThenOnAtEveryDatacenter(TopologyKind topology) throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, topology, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            Map<String, Integer> committed;
            try (TopologyWorkload workload = new TopologyWorkload(cluster, 15, System.nanoTime())) {
                await().atMost(WAIT).until(() -> workload.written("dc-c") >= 20);
                // In all-to-all, dc-c takes the change from dc-a only once this lock is gone, while dc-b has
                // it and writes the new table: dc-b's rows reach dc-c before the table does.
                boolean holdBack = topology == TopologyKind.ALL_TO_ALL;
                try (Connection held = cluster.connect("dc-c")) {
                    if (holdBack) {
                        held.setAutoCommit(false);
                        try (Statement statement = held.createStatement()) {
                            statement.execute("LOCK TABLE syncline.schema_change IN SHARE MODE");
                        }
                    }
                    CliRun ddl = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(), CREATE);
                    assertThat(ddl.status()).as(ddl.output()).isZero();
                    assertThat(ddl.output()).contains("accepted: table it.orders created")
                            .contains("it.orders replicates from now on at every DC");
                    long committedAt = System.nanoTime();
                    insertOrders(cluster, "dc-a", 1, 5);
                    await().atMost(WAIT).until(() -> cluster.queryLong("dc-b", HAS_ORDERS) == 1);
                    insertOrders(cluster, "dc-b", 1, 5);
                    if (holdBack) {
                        await().atMost(WAIT).untilAsserted(() -> assertThat(link(cluster, "dc-c", "dc-b").state())
                                .isEqualTo(LinkStatus.State.SCHEMA_MISMATCH));
                        assertThat(link(cluster, "dc-c", "dc-b").lastError())
                                .contains("table it.orders is not replicated on this node");
                        held.rollback();
                    }
                    await().atMost(WAIT).until(() -> cluster.queryLong("dc-c", HAS_ORDERS) == 1);
                    System.out.printf("[timing] the new table reached every DC of the %s under load in %d ms%n", topology,
                            (System.nanoTime() - committedAt) / 1_000_000);
                }
                insertOrders(cluster, "dc-c", 1, 5);
                awaitOrders(cluster, 15);

                // Once added, the table takes schema changes like a configured one.
                CliRun alter = CliRun.of("ddl", "--config", cluster.configFile("dc-b").toString(),
                        "ALTER TABLE it.orders ADD COLUMN note text DEFAULT 'none'");
                assertThat(alter.status()).as(alter.output()).isZero();
                // Until the change arrives, a DC has no column note to count by.
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    for (String node : NODES) {
                        assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.orders WHERE note = 'none'")).as(node)
                                .isEqualTo(15);
                    }
                });

                // The table stays in replication across a restart, though no config names it.
                cluster.stopNode("dc-b");
                cluster.startNode("dc-b");
                assertThat(cluster.node("dc-b").tablesNotInConfig()).containsExactly("it.orders");
                for (String node : NODES) {
                    insertOrders(cluster, node, 6, 10);
                }
                cluster.execute("dc-c", "UPDATE it.orders SET qty = 42, note = 'changed at dc-c' WHERE id = 'dc-a-1'");
                int at = workload.written("dc-c");
                await().atMost(WAIT).until(() -> workload.written("dc-c") >= at + 20);
                committed = workload.stop();
                workload.awaitAllApplied(committed, WAIT);
                workload.assertAppliedExactlyOnceInOrder(committed);
            }
            awaitOrders(cluster, 30);
            await().atMost(WAIT).untilAsserted(() -> {
                for (String node : NODES) {
                    assertThat(cluster.queryString(node, "SELECT qty || ' ' || note FROM it.orders WHERE id = 'dc-a-1'")).as(node)
                            .isEqualTo("42 changed at dc-c");
                }
            });
            cluster.awaitQuiet(WAIT);
            TopologyWorkload.assertConverged(cluster);
            var orders = cluster.compare(Map.of("it.orders", "id"));
            assertThat(orders.mismatchedRows()).as("mismatched rows of it.orders, e.g. %s", orders.examples()).isZero();
            CliRun diff = CliRun.of("diff", "-c", cluster.configFile("dc-a").toString(), "-c",
                    cluster.configFile("dc-b").toString(), "-c", cluster.configFile("dc-c").toString());
            assertThat(diff.status()).as(diff.output()).isZero();
            assertThat(diff.output()).contains("it.orders: 30 row(s)").contains("no differences");
            for (String node : NODES) {
                assertThat(cluster.queryRows(node, "SELECT table_name, origin_node FROM syncline.replicated_table"))
                        .as(node).containsExactly(List.of("it.orders", "dc-a"));
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.quarantine")).as(node).isZero();
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.dead_letter")).as(node).isZero();
                assertThat(cluster.node(node).links()).as(node)
                        .allSatisfy(l -> assertThat(l.state()).isEqualTo(LinkStatus.State.STREAMING));
            }
        }
    }

    private static void insertOrders(DcCluster cluster, String node, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            cluster.execute(node, "INSERT INTO it.orders (id, origin, qty) VALUES ('" + node + "-" + i + "', '" + node + "', "
                    + i + ")");
        }
    }

    private static void awaitOrders(DcCluster cluster, long rows) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (String node : NODES) {
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.orders")).as(node).isEqualTo(rows);
            }
        });
    }

    private static LinkStatus link(DcCluster cluster, String node, String upstream) {
        return cluster.node(node).links().stream().filter(l -> l.upstream().equals(upstream)).findFirst().orElseThrow();
    }
}
