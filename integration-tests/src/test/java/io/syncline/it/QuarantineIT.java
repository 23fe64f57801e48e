package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.event.ChainLink;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.node.monitor.NodeMonitor;
import io.syncline.node.runtime.LinkStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records forged into an outbox (docs/quarantine.md): whoever can write to a node's outbox topic
 * must not be able to stop its peers' links, impersonate an origin, or push an origin's applied
 * position out of reach. Each forged record is produced with a plain, non-transactional producer
 * between real transactions; the peer keeps it in {@code syncline.quarantine} with its reason,
 * leaves the applied positions alone, shows it in its status and metrics, and goes on applying.
 */
class QuarantineIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DcCluster cluster;
    private NodeMonitor monitor;

    @AfterEach
    void stopCluster() {
        if (monitor != null) {
            monitor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void forgedRecordsAreQuarantinedWithTheirReasonAndLaterRecordsStillApply() throws Exception {
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id bigint PRIMARY KEY, origin text NOT NULL)")
                .schema("CREATE TABLE it.hidden (id bigint PRIMARY KEY, origin text NOT NULL)")
                .replicate("it.items")
                .start();
        int port = freePort();
        Files.writeString(cluster.configFile(B), "metrics:\n  listen: 127.0.0.1:" + port + "\n", StandardOpenOption.APPEND);
        cluster.startAllNodes();
        monitor = NodeMonitor.start(cluster.node(B), NodeConfigLoader.load(cluster.configFile(B)), Clock.systemUTC()).orElseThrow();
        insertItems(A, 1, 3);
        awaitItems(B, 3);
        Applied before = applied(B, A);
        long next = before.position() + 1_000;
        OriginIdentity identity = before.identity();
        long seed = System.nanoTime();
        System.out.printf("[quarantine] random bytes from seed %d%n", seed);
        byte[] random = new byte[64];
        new Random(seed).nextBytes(random);

        // Each would be applied (or stop the link) if it were not checked: the forged ones of dc-a continue its real chain.
        Map<Long, String> expected = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(A)) {
            expected.put(send(producer, forged(A, Long.MAX_VALUE, identity, before.position(), "it.items", A)),
                    "IMPLAUSIBLE_POSITION");
            expected.put(send(producer, forged(A, before.position() + (1L << 41), identity, before.position(), "it.items", A)),
                    "IMPLAUSIBLE_POSITION");
            expected.put(send(producer, forged("dc-x", next, new OriginIdentity(1, 1), ChainLink.NONE, "it.items", "dc-x", A)),
                    "UNKNOWN_ORIGIN");
            expected.put(send(producer, forged(A, next, identity, before.position(), "it.items", A, B)), "WRONG_PATH");
            expected.put(send(producer, forged(A, next, identity, before.position(), "it.hidden", A)), "UNKNOWN_TABLE");
            ProducerRecord<byte[], byte[]> lying = forged(A, next, identity, before.position(), "it.items", A);
            lying.headers().remove(EventHeaders.POSITION);
            lying.headers().add(EventHeaders.POSITION, EventHeaders.encodeLong(next + 1));
            expected.put(send(producer, lying), "HEADER_MISMATCH");
            expected.put(send(producer, new ProducerRecord<>(ReplicationSchema.outboxTopic(A), 0, null, random)), "UNDECODABLE");
            ProducerRecord<byte[], byte[]> garbled = forged(A, next, identity, before.position(), "it.items", A);
            expected.put(send(producer, new ProducerRecord<>(garbled.topic(), 0, (byte[]) null, random, garbled.headers())),
                    "UNDECODABLE");
        }

        await("the forged records quarantined at " + B).atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.queryLong(B, "SELECT count(*) FROM syncline.quarantine")).isEqualTo(expected.size()));
        Map<Long, String> reasons = new LinkedHashMap<>();
        for (List<String> row : cluster.queryRows(B, "SELECT kafka_offset, reason, topic, upstream_node, coalesce(origin_node, '-'),"
                + " message, body IS NOT NULL FROM syncline.quarantine ORDER BY kafka_offset")) {
            System.out.printf("[quarantine] %s%n", row);
            reasons.put(Long.parseLong(row.get(0)), row.get(1));
            assertThat(row.get(2)).isEqualTo(ReplicationSchema.outboxTopic(A));
            assertThat(row.get(3)).isEqualTo(A);
            assertThat(row.get(5)).isNotBlank();
            assertThat(row.get(6)).isEqualTo("t");
        }
        assertThat(reasons).isEqualTo(expected);
        assertThat(cluster.queryString(B, "SELECT origin_node FROM syncline.quarantine WHERE reason = 'UNKNOWN_ORIGIN'"))
                .isEqualTo("dc-x");
        assertThat(applied(B, A)).as("dc-a's applied position at dc-b").isEqualTo(before);
        assertThat(cluster.appliedPositions(B)).doesNotContainKey("dc-x");
        assertThat(itemIds(B)).containsExactly(1L, 2L, 3L);

        // The link reports REJECTED just after the commit that made the quarantined rows visible.
        await().atMost(WAIT).until(() -> linkOf(B, A).state() == LinkStatus.State.REJECTED);
        LinkStatus link = linkOf(B, A);
        assertThat(link.quarantined()).isEqualTo(expected.size());
        await("/status and /metrics of dc-b show the quarantine").atMost(WAIT).untilAsserted(() -> {
            JsonNode status = new ObjectMapper().readTree(get("http://127.0.0.1:" + port + "/status"));
            JsonNode fromA = status.path("links").get(0);
            assertThat(fromA.path("state").asText()).isEqualTo("REJECTED");
            assertThat(fromA.path("quarantined").asLong()).isEqualTo(expected.size());
            assertThat(fromA.path("reason").asText()).contains("quarantined", ReplicationSchema.outboxTopic(A));
            String metrics = get("http://127.0.0.1:" + port + "/metrics");
            assertThat(metrics).contains("syncline_link_quarantined_records{upstream=\"dc-a\"} " + expected.size() + ".0")
                    .containsPattern("syncline_link_state\\{(state=\"REJECTED\",upstream=\"dc-a\"|upstream=\"dc-a\",state=\"REJECTED\")} 1\\.0");
        });
        CliRun listed = CliRun.of("conflicts", "quarantined", "--config", cluster.configFile(B).toString(), "--json");
        assertThat(listed.status()).isZero();
        JsonNode entries = new ObjectMapper().readTree(listed.output());
        assertThat(entries).hasSize(expected.size());
        assertThat(entries.findValuesAsText("reason")).containsExactlyElementsOf(expected.values());

        insertItems(A, 4, 6);
        awaitItems(B, 6);
        assertThat(applied(B, A).position()).isGreaterThan(before.position()).isLessThan(before.position() + (1L << 41));
        assertThat(cluster.compare(Map.of("it.items", "id")).converged()).isTrue();

        CliRun discarded = CliRun.of("conflicts", "quarantined", "--config", cluster.configFile(B).toString(), "--discard");
        assertThat(discarded.status()).isZero();
        assertThat(discarded.output()).contains(expected.size() + " quarantined record(s) discarded");
        await("the link from dc-a streams again once the quarantine is empty").atMost(WAIT)
                .until(() -> link.state() == LinkStatus.State.STREAMING && link.quarantined() == 0);
    }

    private record Applied(long position, OriginIdentity identity) {}

    private Applied applied(String node, String origin) throws SQLException {
        List<String> row = cluster.queryRows(node, "SELECT position, origin_system_id, origin_epoch FROM "
                + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE origin_node = '" + origin + "'").get(0);
        return new Applied(Long.parseLong(row.get(0)), new OriginIdentity(Long.parseLong(row.get(1)), Long.parseLong(row.get(2))));
    }

    /** A record as an OutboxPublisher would write it, with whatever the forger chose. */
    private static ProducerRecord<byte[], byte[]> forged(String origin, long position, OriginIdentity identity, long previous,
            String table, String... path) {
        RowVersion version = new RowVersion(new RowClock(System.currentTimeMillis() << 16, origin),
                VersionVector.of(Map.of(origin, 1_000_000L)));
        RowChange change = new RowChange(table, Operation.INSERT, Map.of("id", "666"), null,
                Map.of("id", "666", "origin", "forged"), Set.of(), version);
        SourceTransaction tx = new SourceTransaction(origin, position, System.currentTimeMillis() * 1000, 666, List.of(path),
                List.of(change), new ChainLink(identity, previous));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(ReplicationSchema.outboxTopic(A), 0,
                EventHeaders.encodeString(origin), TransactionCodec.encodeBody(tx));
        record.headers()
                .add(EventHeaders.ORIGIN, EventHeaders.encodeString(origin))
                .add(EventHeaders.PATH, EventHeaders.encodePath(tx.path()))
                .add(EventHeaders.POSITION, EventHeaders.encodeLong(position))
                .add(EventHeaders.FORMAT, EventHeaders.encodeLong(TransactionCodec.FORMAT_VERSION));
        return record;
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) throws Exception {
        return producer.send(record).get(30, TimeUnit.SECONDS).offset();
    }

    private KafkaProducer<byte[], byte[]> producer(String node) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka(node).bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void insertItems(String node, long from, long to) throws SQLException {
        for (long id = from; id <= to; id++) {
            cluster.execute(node, "INSERT INTO it.items VALUES (" + id + ", '" + node + "')");
        }
    }

    private void awaitItems(String node, long count) {
        await(count + " item(s) at " + node).atMost(WAIT)
                .until(() -> cluster.queryLong(node, "SELECT count(*) FROM it.items") == count);
    }

    private List<Long> itemIds(String node) throws SQLException {
        return cluster.queryRows(node, "SELECT id FROM it.items ORDER BY id").stream()
                .map(row -> Long.parseLong(row.get(0))).toList();
    }

    private String get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private LinkStatus linkOf(String node, String upstream) {
        return cluster.node(node).allLinks().stream().filter(l -> l.upstream().equals(upstream)).findFirst().orElseThrow();
    }
}
