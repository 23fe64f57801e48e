package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import io.syncline.node.runtime.LinkStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Schema changes through {@code syncline ddl} while every DC writes: the change reaches every DC
 * at its place in the origin's stream, rows written under either schema apply everywhere, and a
 * change that is not safe while DCs differ is refused with nothing changed anywhere.
 */
class SchemaChangeIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> NODES = List.of("dc-a", "dc-b", "dc-c");
    private static final String NOTE = "SELECT format_type(atttypid, atttypmod) || ' ' || pg_get_expr(adbin, adrelid)"
            + " FROM pg_attribute JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
            + " WHERE attrelid = 'it.events'::regclass AND attname = 'note'";

    @ParameterizedTest
    @EnumSource(value = TopologyKind.class, names = {"RING", "ALL_TO_ALL"})
    void anAddedColumnReachesEveryDatacenterUnderLoadAndNoWriteIsLost(TopologyKind topology) throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, topology, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            Map<String, Integer> committed;
            try (TopologyWorkload workload = new TopologyWorkload(cluster, 15, System.nanoTime())) {
                await().atMost(WAIT).until(() -> workload.written("dc-c") >= 20);
                CliRun ddl = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                        "ALTER TABLE it.events ADD COLUMN note text NOT NULL DEFAULT 'none'");
                assertThat(ddl.status()).as(ddl.output()).isZero();
                assertThat(ddl.output()).contains("accepted: column note added to it.events");
                // dc-a writes under the new schema right away: those rows follow the change in dc-a's stream.
                cluster.execute("dc-a", "INSERT INTO it.events (origin, seq, note) VALUES ('manual', 1, 'after the change')");
                long committedAt = System.nanoTime();
                await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                    for (String node : NODES) {
                        assertThat(cluster.queryString(node, NOTE)).as(node).isEqualTo("text 'none'::text");
                    }
                });
                System.out.printf("[timing] the schema change reached every DC of the %s under load in %d ms%n", topology,
                        (System.nanoTime() - committedAt) / 1_000_000);
                int at = workload.written("dc-c");
                await().atMost(WAIT).until(() -> workload.written("dc-c") >= at + 20);
                committed = workload.stop();
                workload.awaitAllApplied(committed, WAIT);
                workload.assertAppliedExactlyOnceInOrder(committed);
            }
            await().atMost(WAIT).untilAsserted(() -> {
                for (String node : NODES) {
                    assertThat(cluster.queryString(node, "SELECT note FROM it.events WHERE origin = 'manual'"))
                            .as(node).isEqualTo("after the change");
                    assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.events WHERE note = 'none'"))
                            .as("rows of %s under the old schema take the default", node)
                            .isEqualTo(committed.values().stream().mapToLong(Integer::longValue).sum());
                }
            });
            cluster.awaitQuiet(WAIT);
            TopologyWorkload.assertConverged(cluster);
            for (String node : NODES) {
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.schema_change")).as(node).isEqualTo(1);
            }
        }
    }

    /**
     * A column dropped at dc-a while dc-b's node is down: dc-b's application keeps writing the column until the
     * drop reaches dc-b, and those rows apply at dc-a and dc-c without it instead of holding their links.
     */
    @Test
    void aDroppedColumnLeavesEveryDatacenterWhileRowsThatStillCarryItArrive() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, TopologyKind.ALL_TO_ALL, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            Map<String, Integer> committed;
            try (TopologyWorkload workload = new TopologyWorkload(cluster, 15, System.nanoTime())) {
                assertThat(CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                        "ALTER TABLE it.events ADD COLUMN legacy text").status()).isZero();
                await().atMost(WAIT).untilAsserted(() -> {
                    for (String node : NODES) {
                        assertThat(legacyColumns(cluster, node)).as("column legacy at %s", node).isEqualTo(1);
                    }
                });

                cluster.stopNode("dc-b");
                CliRun drop = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                        "ALTER TABLE it.events DROP COLUMN legacy");
                assertThat(drop.status()).as(drop.output()).isZero();
                assertThat(drop.output()).contains("accepted: column legacy dropped from it.events");
                cluster.execute("dc-b", "INSERT INTO it.events (origin, seq, payload, legacy) VALUES ('dc-b-app', 1, 'kept', 'old')");
                cluster.execute("dc-b", "UPDATE it.events SET legacy = 'newer', payload = 'updated' WHERE origin = 'dc-b-app'");
                cluster.startNode("dc-b");

                await().atMost(WAIT).untilAsserted(() -> {
                    for (String node : NODES) {
                        assertThat(legacyColumns(cluster, node)).as("column legacy at %s", node).isZero();
                        assertThat(cluster.queryString(node, "SELECT payload FROM it.events WHERE origin = 'dc-b-app'"))
                                .as(node).isEqualTo("updated");
                    }
                });
                int at = workload.written("dc-c");
                await().atMost(WAIT).until(() -> workload.written("dc-c") >= at + 20);
                committed = workload.stop();
                workload.awaitAllApplied(committed, WAIT);
                workload.assertAppliedExactlyOnceInOrder(committed);
            }
            cluster.awaitQuiet(WAIT);
            TopologyWorkload.assertConverged(cluster);
            for (String node : NODES) {
                assertThat(cluster.node(node).links()).as("links at %s", node)
                        .allSatisfy(link -> assertThat(link.state()).isEqualTo(LinkStatus.State.STREAMING));
            }
            CliRun again = CliRun.of("ddl", "--config", cluster.configFile("dc-c").toString(),
                    "ALTER TABLE it.events ADD COLUMN legacy text");
            assertThat(again.status()).isEqualTo(2);
            assertThat(again.output()).contains("was dropped through syncline ddl", "another name");
        }
    }

    private static long legacyColumns(DcCluster cluster, String node) throws java.sql.SQLException {
        return cluster.queryLong(node, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'it.events'::regclass"
                + " AND attname = 'legacy' AND NOT attisdropped");
    }

    @Test
    void unsafeChangesAreRefusedAndTheSameChangeRunAtTwoDatacentersConverges() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, TopologyKind.ALL_TO_ALL, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            CliRun rename = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                    "ALTER TABLE it.events RENAME COLUMN payload TO body");
            assertThat(rename.status()).isEqualTo(2);
            assertThat(rename.output()).contains("refused:  column payload of it.events renamed to body")
                    .contains("add the new column, backfill it, switch the application to it, then drop the old one")
                    .contains("nothing changed");
            CliRun volatileDefault = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                    "ALTER TABLE it.shared ADD COLUMN at timestamptz DEFAULT now()");
            assertThat(volatileDefault.status()).isEqualTo(2);
            assertThat(volatileDefault.output()).contains("another value at each DC");
            CliRun dryRun = CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(), "--dry-run",
                    "CREATE INDEX shared_by_writer ON it.shared (writer)");
            assertThat(dryRun.status()).isZero();
            assertThat(dryRun.output()).contains("dry run");

            // dc-b's node is down, so that the same change runs at dc-a and at dc-b before either has the other's.
            cluster.stopNode("dc-b");
            String add = "ALTER TABLE it.shared ADD COLUMN weight integer DEFAULT 1";
            assertThat(CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(), add).status()).isZero();
            assertThat(CliRun.of("ddl", "--config", cluster.configFile("dc-b").toString(), add).status()).isZero();
            cluster.startNode("dc-b");
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-c", "SELECT count(*) FROM pg_attribute"
                    + " WHERE attrelid = 'it.shared'::regclass AND attname = 'weight'") == 1);
            cluster.execute("dc-c", "INSERT INTO it.shared (id, val, writer, seq, weight) VALUES (1, 'x', 'dc-c', 1, 5)");

            await().atMost(WAIT).untilAsserted(() -> {
                for (String node : NODES) {
                    assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.schema_change")).as(node).isEqualTo(2);
                    assertThat(cluster.queryString(node, "SELECT weight::text FROM it.shared WHERE id = 1")).as(node)
                            .isEqualTo("5");
                }
            });
            for (String node : NODES) {
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'it.events'::regclass"
                        + " AND attname IN ('body', 'at')")).as(node).isZero();
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM pg_indexes WHERE indexname = 'shared_by_writer'"))
                        .as(node).isZero();
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'it.shared'::regclass"
                        + " AND attname = 'weight' AND NOT attisdropped")).as(node).isEqualTo(1);
            }
            cluster.awaitQuiet(WAIT);
            TopologyWorkload.assertConverged(cluster);
        }
    }

    @Test
    void aChangeMadeByHandIsReportedByItsNodeWhileInitAndAppliedChangesAreNot() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(2, TopologyKind.ALL_TO_ALL, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            assertThat(CliRun.of("ddl", "--config", cluster.configFile("dc-a").toString(),
                    "CREATE INDEX shared_by_writer ON it.shared (writer)").status()).isZero();
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-b", "SELECT count(*) FROM pg_indexes"
                    + " WHERE indexname = 'shared_by_writer'") == 1);

            cluster.execute("dc-b", "ALTER TABLE it.shared ADD COLUMN by_hand text");

            await().atMost(WAIT).until(() -> cluster.node("dc-b").unmanagedSchemaChanges() == 1);
            assertThat(cluster.queryRows("dc-b", "SELECT command_tag, object_identity FROM syncline.unmanaged_ddl"))
                    .containsExactly(List.of("ALTER TABLE", "it.shared"));
            assertThat(cluster.queryLong("dc-a", "SELECT count(*) FROM syncline.unmanaged_ddl")).isZero();
            assertThat(cluster.node("dc-a").unmanagedSchemaChanges()).isZero();
        }
    }
}
