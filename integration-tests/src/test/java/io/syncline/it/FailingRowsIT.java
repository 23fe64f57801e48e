package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.node.runtime.LinkStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A row that one datacenter's database refuses for good (here a unique index on a column that is
 * not the key) is parked with its whole source transaction (the default {@code on-error: park}):
 * the link streams on, the operator sees the dead letter, and {@code conflicts retry} applies it
 * once the data is fixed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailingRowsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private DcCluster cluster;

    @BeforeAll
    void start() {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE TABLE public.customer (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text)")
                .replicate("public.customer")
                .start();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSameUniqueEmailUnderTwoKeysIsParkedAtBothNodesWhichStreamOnAndTheRetryAppliesItOnceFixed() throws Exception {
        // Inserted at both datacenters while the nodes are down (after a first start made their slots): concurrent,
        // each refused by the other's unique index.
        cluster.startAllNodes();
        cluster.stopAllNodes();
        cluster.execute(A, "INSERT INTO customer VALUES (1, 'same@example.com', 'from a')");
        cluster.execute(B, "INSERT INTO customer VALUES (2, 'same@example.com', 'from b')");
        cluster.startAllNodes();

        await().atMost(WAIT).until(() -> parkedTransactions(A) == 1 && parkedTransactions(B) == 1);
        assertThat(cluster.queryString(A, "SELECT origin_node || ' ' || sqlstate || ' ' || constraint_name || ' ' || table_name"
                + " || ' ' || pk::text FROM syncline.dead_letter")).isEqualTo("dc-b 23505 customer_email_key public.customer {\"id\": \"2\"}");
        assertThat(cluster.queryString(B, "SELECT origin_node || ' ' || sqlstate || ' ' || constraint_name || ' ' || table_name"
                + " || ' ' || pk::text FROM syncline.dead_letter")).isEqualTo("dc-a 23505 customer_email_key public.customer {\"id\": \"1\"}");
        for (String node : List.of(A, B)) {
            LinkStatus link = cluster.node(node).links().get(0);
            assertThat(link.state()).as("link at %s", node).isEqualTo(LinkStatus.State.STREAMING);
            assertThat(link.parked()).as("parked by the link at %s", node).isEqualTo(1);
        }

        // Later writes still replicate both ways.
        cluster.execute(A, "INSERT INTO customer VALUES (3, 'three@example.com', 'from a')");
        cluster.execute(B, "INSERT INTO customer VALUES (4, 'four@example.com', 'from b')");
        await().atMost(WAIT).until(() -> cluster.queryLong(A, "SELECT count(*) FROM customer WHERE id = 4") == 1
                && cluster.queryLong(B, "SELECT count(*) FROM customer WHERE id = 3") == 1);

        // The operator sees the parked transaction with its error.
        CliRun parked = CliRun.of("conflicts", "parked", "--config", cluster.configFile(B).toString(), "--json");
        assertThat(parked.status()).isZero();
        JsonNode entries = new ObjectMapper().readTree(parked.output());
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("kind").asText()).isEqualTo("transaction");
        assertThat(entries.get(0).get("origin").asText()).isEqualTo(A);
        assertThat(entries.get(0).get("constraint").asText()).isEqualTo("customer_email_key");
        assertThat(entries.get(0).get("error").asText()).contains("23505").contains("same@example.com");

        // A retry before the cause is fixed leaves it parked, with one more attempt.
        CliRun tooEarly = CliRun.of("conflicts", "retry", "--config", cluster.configFile(B).toString());
        assertThat(tooEarly.status()).isEqualTo(3);
        assertThat(cluster.queryLong(B, "SELECT attempts FROM syncline.dead_letter")).isEqualTo(2);

        // The operator fixes dc-b's row. Its update reaches dc-a, where key 2 was parked: the update carries the whole
        // row and a version after the parked insert, so it is applied, and the parked insert is superseded.
        cluster.execute(B, "UPDATE customer SET email = 'two@example.com' WHERE id = 2");
        await().atMost(WAIT).until(() -> "two@example.com".equals(cluster.queryString(A, "SELECT email FROM customer WHERE id = 2")));

        for (String node : List.of(B, A)) {
            CliRun retry = CliRun.of("conflicts", "retry", "--config", cluster.configFile(node).toString());
            assertThat(retry.status()).as("retry at %s: %s", node, retry.output()).isZero();
            assertThat(retry.output()).contains("applied 1 parked change(s); 0 still parked");
            assertThat(parkedTransactions(node)).isZero();
        }
        cluster.awaitQuiet(WAIT);
        assertThat(cluster.compare(Map.of("public.customer", "id")).examples()).isEmpty();
        assertThat(cluster.queryRows(A, "SELECT id, email FROM customer ORDER BY id")).containsExactly(
                List.of("1", "same@example.com"), List.of("2", "two@example.com"), List.of("3", "three@example.com"),
                List.of("4", "four@example.com"));
    }

    private long parkedTransactions(String node) throws Exception {
        return cluster.queryLong(node, "SELECT count(*) FROM syncline.dead_letter WHERE kind = 'transaction'");
    }
}
