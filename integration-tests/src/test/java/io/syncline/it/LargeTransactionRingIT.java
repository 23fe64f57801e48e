package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ring dc-a -> dc-b -> dc-c -> dc-a: dc-c receives dc-a's large transaction only through dc-b,
 * which forwards its chunks byte for byte while it applies them. dc-c applies it whole, in one
 * target transaction, like dc-b.
 */
class LargeTransactionRingIT {

    private static final int ROWS = 30_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLargeTransactionForwardedAroundARingArrivesWholeAtTheFarNode() throws Exception {
        cluster = DcCluster.builder()
                .nodes(3)
                .topology(TopologyKind.RING)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.big (id int PRIMARY KEY, v bigint NOT NULL, pad text NOT NULL)")
                .replicate("it.big")
                .start();
        for (String node : cluster.names()) {
            cluster.execute(node, "SELECT pg_replication_origin_create('it_seed')",
                    "SELECT pg_replication_origin_session_setup('it_seed')",
                    "INSERT INTO it.big SELECT g, 0, repeat('x', 40) || g FROM generate_series(1, " + ROWS + ") g",
                    "SELECT pg_replication_origin_session_reset()");
        }
        cluster.startAllNodes();

        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> partial = new ConcurrentLinkedQueue<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<?> watching = reader.submit(() -> watch("dc-c", done, partial));
        try {
            cluster.execute("dc-a", "UPDATE it.big SET v = v + 1 WHERE id > 0");
            for (String node : new String[] {"dc-b", "dc-c"}) {
                await(node + " with every row updated").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .until(() -> cluster.queryLong(node, "SELECT count(*) FROM it.big WHERE v = 1") == ROWS);
            }
            done.set(true);
            watching.get(60, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            reader.shutdownNow();
        }
        assertThat(partial).as("states of it.big at dc-c with part of the transaction applied").isEmpty();
        assertThat(cluster.node("dc-b").status().links()).anySatisfy(link -> assertThat(link.forwardedTransactions()).isPositive());

        // The ring goes on with small transactions, each way round.
        cluster.execute("dc-c", "UPDATE it.big SET pad = 'from dc-c' WHERE id = 1");
        await("dc-c's update at dc-a and dc-b").atMost(WAIT).until(() ->
                "from dc-c".equals(cluster.queryString("dc-a", "SELECT pad FROM it.big WHERE id = 1"))
                        && "from dc-c".equals(cluster.queryString("dc-b", "SELECT pad FROM it.big WHERE id = 1")));
        assertThat(cluster.compare(Map.of("it.big", "id")).examples()).as("rows that differ").isEmpty();
    }

    private void watch(String node, AtomicBoolean done, ConcurrentLinkedQueue<String> partial) {
        try (Connection connection = cluster.connect(node); Statement statement = connection.createStatement()) {
            while (!done.get()) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FILTER (WHERE v = 1) FROM it.big WHERE id > 0")) {
                    rs.next();
                    long updated = rs.getLong(1);
                    if (updated != 0 && updated != ROWS) {
                        partial.add("updated " + updated);
                    }
                }
            }
        } catch (SQLException e) {
            partial.add("the reader failed: " + e);
        }
    }
}
