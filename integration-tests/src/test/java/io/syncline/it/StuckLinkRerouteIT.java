package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.node.runtime.LinkStatus;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A ring dc-a -> dc-b -> dc-c -> dc-a in which dc-b cannot apply what it reads from dc-a (a
 * column only dc-a and dc-c have): dc-b withholds its heartbeat, so dc-c reads dc-a around it as
 * it would around a dead node, and once dc-b has the column the ring is whole again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StuckLinkRerouteIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final String C = "dc-c";

    private DcCluster cluster;

    @BeforeAll
    void start() {
        cluster = DcCluster.builder().nodes(3).topology(TopologyKind.RING).failureTimeout(Duration.ofSeconds(3))
                .schema("CREATE TABLE public.item (id int PRIMARY KEY, name text)")
                .schema("CREATE TABLE public.note (id int PRIMARY KEY, v text)")
                .replicate("public.item", "public.note")
                .start();
        cluster.startAllNodes();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theRingReadsAroundANodeWhoseLinkCannotApplyUntilItAppliesAgain() throws Exception {
        cluster.execute(A, "ALTER TABLE item ADD COLUMN color text");
        cluster.execute(C, "ALTER TABLE item ADD COLUMN color text");
        cluster.execute(A, "INSERT INTO item (id, name, color) VALUES (1, 'from a', 'red')");

        await().atMost(WAIT).until(() -> cluster.node(B).links().get(0).state() == LinkStatus.State.SCHEMA_MISMATCH);
        // dc-b reads no further from dc-a, so it forwards nothing more; dc-c reads dc-a around it.
        cluster.execute(A, "INSERT INTO note VALUES (1, 'written after dc-b got stuck')");
        await().atMost(WAIT).until(() -> cluster.queryLong(C, "SELECT count(*) FROM note WHERE id = 1") == 1);
        assertThat(cluster.node(B).heartbeatWithheld()).isTrue();
        assertThat(cluster.node(C).status().links()).extracting(LinkStatus::upstream, LinkStatus::role)
                .contains(Tuple.tuple(A, "instead of " + B));
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM note WHERE id = 1")).isZero();

        cluster.execute(B, "ALTER TABLE item ADD COLUMN color text");

        await().atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM note WHERE id = 1") == 1);
        await().atMost(WAIT).until(() -> !cluster.node(B).heartbeatWithheld());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.node(C).status().links())
                .extracting(LinkStatus::upstream).containsExactly(B));
        cluster.awaitQuiet(WAIT);
        assertThat(cluster.compare(Map.of("public.item", "id", "public.note", "id")).examples()).isEmpty();
    }
}
