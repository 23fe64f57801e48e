package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.connector.CaptureSetupException;
import io.syncline.connector.ReplicationSlots;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.it.support.DcCluster;
import io.syncline.node.cli.SynclineCli;
import io.syncline.node.runtime.LinkStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No silent gaps (docs/continuity.md): every change of an origin is applied at its peers, or the
 * link that should carry it stops in {@link LinkStatus.State#GAP} and says why. Each test breaks
 * continuity in one way (records deleted from an outbox, an outbox created again, a lost slot, a
 * rebuilt database) and checks that the peer stops instead of skipping, and that a node on an
 * empty data directory resumes without loss or duplicate.
 */
class ContinuityIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private DcCluster twoDatacenters() {
        return DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id bigint PRIMARY KEY, origin text NOT NULL)")
                .schema("CREATE TABLE it.counter (id int PRIMARY KEY, n bigint NOT NULL)")
                .replicate("it.items", "it.counter")
                .conflict("it.counter", "{columns: {n: {policy: delta}}}")
                .start();
    }

    @Test
    void recordsDeletedPastAPeersOffsetStopItsLinkInGap() throws Exception {
        cluster = twoDatacenters();
        cluster.startAllNodes();
        assertOutboxKeepsRecordsForever(A);
        insertItems(A, 1, 3);
        awaitItems(B, 3);
        cluster.stopNode(B);
        long stored = storedOffset(B, A);

        insertItemsAndAwaitPublished(A, 4, 6);
        long end = cluster.outboxEndOffset(A);
        try (Admin admin = admin(A)) {
            admin.deleteRecords(Map.of(outboxPartition(A), RecordsToDelete.beforeOffset(end))).all().get(30, TimeUnit.SECONDS);
        }
        cluster.startNode(B);

        LinkStatus link = awaitGap(B, A);
        System.out.printf("[continuity] %s's link from %s: %s%n", B, A, link.lastError());
        assertThat(link.lastError()).contains(ReplicationSchema.outboxTopic(A), "stored offset is " + stored,
                "begins at " + end, "syncline.link_offset");
        insertItemsAndAwaitPublished(A, 7, 7);
        assertThat(itemIds(B)).as("nothing after the gap is applied").containsExactly(1L, 2L, 3L);
        assertThat(link.state()).isEqualTo(LinkStatus.State.GAP);
    }

    @Test
    void outboxCreatedAgainStopsItsOwnCaptureAndThePeersLinkInGap() throws Exception {
        cluster = twoDatacenters();
        cluster.startAllNodes();
        insertItems(A, 1, 3);
        awaitItems(B, 3);
        cluster.stopNode(B);
        cluster.stopNode(A);
        long stored = storedOffset(B, A);
        // As an operator would, some time after the last write: no commit marker still on its way to the old topic.
        awaitTransactionsSettled(A);
        try (Admin admin = admin(A)) {
            admin.deleteTopics(List.of(ReplicationSchema.outboxTopic(A))).all().get(30, TimeUnit.SECONDS);
            await("outbox deleted").atMost(WAIT)
                    .until(() -> !admin.listTopics().names().get().contains(ReplicationSchema.outboxTopic(A)));
        }
        // The origin itself knows what it published: its capture refuses an outbox without it.
        long published = cluster.queryLong(A, "SELECT last_published_position FROM syncline.capture_identity");
        assertThat(published).as("published position recorded by %s's capture", A).isPositive();
        assertThatThrownBy(() -> cluster.startNode(A))
                .isInstanceOf(CaptureSetupException.class)
                .hasMessageContaining("outbox topic " + ReplicationSchema.outboxTopic(A) + " no longer holds what this node published")
                .hasMessageContaining("up to position " + published)
                .hasMessageContaining("syncline capture reset");
        cluster.stopNode(A);
        // The operator's way on: a new epoch (the peers are to be re-synchronised from dc-a).
        assertThat(SynclineCli.run("capture", "reset", "--config", cluster.configFile(A).toString())).isZero();
        cluster.startNode(A);
        insertItemsAndAwaitPublished(A, 4, 4);
        long end = cluster.outboxEndOffset(A);
        assertThat(end).isLessThan(stored);
        cluster.startNode(B);

        LinkStatus link = awaitGap(B, A);
        System.out.printf("[continuity] %s's link from %s: %s%n", B, A, link.lastError());
        assertThat(link.lastError()).contains(ReplicationSchema.outboxTopic(A) + " ends at offset " + end,
                "stored offset " + stored, "deleted and created again", "syncline.link_offset");
        insertItemsAndAwaitPublished(A, 5, 5);
        assertThat(itemIds(B)).as("nothing after the gap is applied").containsExactly(1L, 2L, 3L);
    }

    @Test
    void lostSlotStopsTheCaptureAndCaptureResetStartsAnEpochThePeersReport() throws Exception {
        cluster = twoDatacenters();
        cluster.startAllNodes();
        insertItems(A, 1, 1);
        awaitItems(B, 1);
        cluster.stopNode(A);
        String slot = ReplicationSchema.slotName(A);
        try (Connection connection = cluster.connect(A)) {
            ReplicationSlots.awaitReleased(connection, slot, Duration.ofSeconds(30));
        }
        cluster.execute(A, "SELECT pg_drop_replication_slot('" + slot + "')");
        insertItems(A, 2, 2);

        assertThatThrownBy(() -> cluster.startNode(A))
                .isInstanceOf(CaptureSetupException.class)
                .hasMessageContaining("replication slot " + slot + " does not exist")
                .hasMessageContaining("syncline capture reset");
        cluster.stopNode(A);
        assertThat(slotExists(A)).as("the slot is not created again silently").isFalse();

        assertThat(SynclineCli.run("capture", "reset", "--config", cluster.configFile(A).toString())).isZero();
        assertThat(cluster.queryLong(A, "SELECT epoch FROM syncline.capture_identity WHERE node_id = '" + A + "'")).isEqualTo(2);
        assertThat(slotExists(A)).isTrue();
        cluster.startNode(A);
        insertItems(A, 3, 3);

        LinkStatus link = awaitGap(B, A);
        System.out.printf("[continuity] %s's link from %s: %s%n", B, A, link.lastError());
        assertThat(link.lastError()).contains("epoch 2", "epoch 1", "rebuilt or its capture reset");
        assertThat(itemIds(B)).as("nothing of the new epoch is applied").containsExactly(1L);
    }

    @Test
    void rebuiltDatabaseIsRefusedByItsPeersWithAnIdentityError() throws Exception {
        cluster = twoDatacenters();
        cluster.startAllNodes();
        // The old database's WAL well ahead of where a new server's starts.
        for (int i = 0; i < 3; i++) {
            cluster.execute(A, "INSERT INTO it.items VALUES (" + (100 + i) + ", 'padding')", "SELECT pg_switch_wal()");
        }
        insertItems(A, 1, 1);
        awaitItems(B, 4);
        long oldSystem = systemIdentifier(A);
        cluster.stopNode(A);

        cluster.rebuildDatabase(A);
        // A restored cluster whose slot the operator created by hand: the capture starts, under a new identity.
        cluster.execute(A, "SELECT pg_create_logical_replication_slot('" + ReplicationSchema.slotName(A) + "', 'pgoutput')");
        long newSystem = systemIdentifier(A);
        assertThat(newSystem).isNotEqualTo(oldSystem);
        cluster.startNode(A);
        insertItems(A, 2, 2);

        LinkStatus link = awaitGap(B, A);
        System.out.printf("[continuity] %s's link from %s: %s%n", B, A, link.lastError());
        assertThat(link.lastError()).contains("system " + Long.toUnsignedString(newSystem),
                "system " + Long.toUnsignedString(oldSystem), "rebuilt");
        assertThat(itemIds(B)).doesNotContain(2L);
    }

    @Test
    void nodeOnAnEmptyDataDirectoryResumesWithoutLossOrDuplicate() throws Exception {
        cluster = twoDatacenters();
        cluster.startAllNodes();
        cluster.execute(A, "INSERT INTO it.counter VALUES (1, 0)");
        await("the counter row at " + B).atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.counter") == 1);
        for (String node : cluster.names()) {
            installApplyAudit(node);
        }
        int perNode = 20;
        increment(A, 0, perNode);
        increment(B, 0, perNode);
        cluster.stopNode(A);
        deleteRecursively(cluster.dataDirectory(A));
        // Written while dc-a's node is down: only its slot and the offsets kept in its database remember them.
        increment(A, perNode, 2 * perNode);
        increment(B, perNode, 2 * perNode);
        cluster.startNode(A);
        increment(A, 2 * perNode, 3 * perNode);
        increment(B, 2 * perNode, 3 * perNode);

        cluster.awaitQuiet(WAIT);
        long expected = 2L * 3 * perNode;
        for (String node : cluster.names()) {
            assertThat(cluster.queryLong(node, "SELECT n FROM it.counter WHERE id = 1")).as("counter at %s", node).isEqualTo(expected);
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.items")).as("items at %s", node).isEqualTo(expected);
            assertThat(cluster.queryRows(node, "SELECT pk, count(*) FROM it_audit.row_writes WHERE table_name = 'items'"
                    + " GROUP BY pk HAVING count(*) > 1")).as("items applied twice at %s", node).isEmpty();
            assertThat(cluster.queryRows(node, "SELECT origin_node, from_position, to_position FROM it_audit.position_advances a"
                    + " WHERE to_position <= from_position OR from_position <> coalesce((SELECT p.to_position FROM"
                    + " it_audit.position_advances p WHERE p.origin_node = a.origin_node AND p.seq < a.seq ORDER BY p.seq DESC"
                    + " LIMIT 1), from_position)")).as("applied positions that did not move strictly forward at %s", node)
                    .isEmpty();
        }
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM it_audit.row_writes WHERE table_name = 'items'"))
                .as("each of dc-a's items applied at dc-b once").isEqualTo(3L * perNode);
        assertThat(cluster.node(B).links().get(0).state()).isEqualTo(LinkStatus.State.STREAMING);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Each transaction increments the shared counter and inserts one item, keyed by node and sequence. */
    private void increment(String node, int from, int to) throws SQLException {
        long base = node.equals(A) ? 1_000_000 : 2_000_000;
        for (int i = from; i < to; i++) {
            cluster.execute(node, "BEGIN; UPDATE it.counter SET n = n + 1 WHERE id = 1; INSERT INTO it.items VALUES ("
                    + (base + i) + ", '" + node + "'); COMMIT");
        }
    }

    /** Records what apply sessions write (sessions with a replication origin), as NodeCrashIT does. */
    private void installApplyAudit(String node) throws SQLException {
        cluster.execute(node,
                "CREATE SCHEMA it_audit",
                "CREATE TABLE it_audit.row_writes (seq bigserial PRIMARY KEY, table_name text NOT NULL, pk text NOT NULL)",
                "CREATE TABLE it_audit.position_advances (seq bigserial PRIMARY KEY, origin_node text NOT NULL,"
                        + " from_position bigint NOT NULL, to_position bigint NOT NULL)",
                """
                CREATE FUNCTION it_audit.row_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_replication_origin_session_is_setup() THEN
                        INSERT INTO it_audit.row_writes (table_name, pk) VALUES (TG_TABLE_NAME, NEW.id::text);
                    END IF;
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit_items AFTER INSERT OR UPDATE ON it.items FOR EACH ROW EXECUTE FUNCTION it_audit.row_write()",
                """
                CREATE FUNCTION it_audit.position_advance() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.position <> OLD.position THEN
                        INSERT INTO it_audit.position_advances (origin_node, from_position, to_position)
                        VALUES (NEW.origin_node, OLD.position, NEW.position);
                    END IF;
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit_positions AFTER UPDATE ON syncline.applied_position FOR EACH ROW"
                        + " EXECUTE FUNCTION it_audit.position_advance()");
    }

    /** Created by the node: kept forever; one broker here, so one replica and min.insync.replicas=1. */
    private void assertOutboxKeepsRecordsForever(String node) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, ReplicationSchema.outboxTopic(node));
        try (Admin admin = admin(node)) {
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
        }
    }

    private void insertItems(String node, long from, long to) throws SQLException {
        for (long id = from; id <= to; id++) {
            cluster.execute(node, "INSERT INTO it.items VALUES (" + id + ", '" + node + "')");
        }
    }

    /** Inserts items, one transaction each, and waits until the node's capture published the last one. */
    private void insertItemsAndAwaitPublished(String node, long from, long to) throws SQLException {
        insertItems(node, from, to - 1);
        long before = Long.parseUnsignedLong(cluster.queryString(node, "SELECT (pg_current_wal_lsn() - '0/0')::text"));
        insertItems(node, to, to);
        await("item " + to + " published by " + node).atMost(WAIT)
                .until(() -> cluster.node(node).capture().lastPublishedPosition() > before);
    }

    private void awaitItems(String node, long count) {
        await(count + " item(s) at " + node).atMost(WAIT)
                .until(() -> cluster.queryLong(node, "SELECT count(*) FROM it.items") == count);
    }

    private List<Long> itemIds(String node) throws SQLException {
        return cluster.queryRows(node, "SELECT id FROM it.items WHERE origin <> 'padding' ORDER BY id").stream()
                .map(row -> Long.parseLong(row.get(0))).toList();
    }

    private LinkStatus awaitGap(String node, String upstream) {
        await("the link " + upstream + " -> " + node + " in GAP").atMost(WAIT).untilAsserted(() -> {
            LinkStatus link = link(node, upstream);
            assertThat(link.state()).as("%s's link from %s (last error %s, next offset %d, applied %d)", node, upstream,
                    link.lastError(), link.nextOffset(), link.appliedTransactions()).isEqualTo(LinkStatus.State.GAP);
        });
        return link(node, upstream);
    }

    private LinkStatus link(String node, String upstream) {
        return cluster.node(node).allLinks().stream().filter(l -> l.upstream().equals(upstream)).findFirst()
                .orElseThrow(() -> new AssertionError(node + " has no link from " + upstream));
    }

    private long storedOffset(String node, String upstream) throws SQLException {
        return cluster.queryLong(node, "SELECT next_offset FROM syncline.link_offset WHERE upstream_node = '" + upstream + "'");
    }

    private long systemIdentifier(String node) throws SQLException {
        return Long.parseLong(cluster.queryString(node, "SELECT system_identifier::text FROM pg_control_system()"));
    }

    private boolean slotExists(String node) throws SQLException {
        return cluster.queryLong(node, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                + ReplicationSchema.slotName(node) + "'") == 1;
    }

    private Admin admin(String node) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka(node).bootstrapServers()));
    }

    /**
     * Waits until every Kafka transaction on the node's outbox is complete: the end a read_committed
     * reader sees (the last stable offset) is the log's end.
     */
    private void awaitTransactionsSettled(String node) {
        TopicPartition partition = outboxPartition(node);
        await("transactions on " + partition + " complete").atMost(WAIT).until(() -> {
            long stable;
            long end;
            try (KafkaConsumer<byte[], byte[]> committed = consumer(node, "read_committed");
                    KafkaConsumer<byte[], byte[]> uncommitted = consumer(node, "read_uncommitted")) {
                stable = committed.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
                end = uncommitted.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
            }
            return stable == end;
        });
    }

    private KafkaConsumer<byte[], byte[]> consumer(String node, String isolation) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka(node).bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static TopicPartition outboxPartition(String node) {
        return new TopicPartition(ReplicationSchema.outboxTopic(node), 0);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
