package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline leave}: a node of three drains what it captured to its peers, is stopped, loses
 * its slot, publication and replication origins, and the two others collect their tombstones once
 * their configs no longer list it, although one of them applied more of it than the other.
 */
class LeaveIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aDrainedNodeLeavesWithItsCaptureDroppedAndHoldsNoTombstone() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(3)
                .schema("CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)")
                .replicate("public.items")
                .start()) {
            cluster.startAllNodes();
            cluster.execute("dc-c", "INSERT INTO public.items SELECT g, 'from dc-c' FROM generate_series(1, 500) g");
            cluster.execute("dc-a", "INSERT INTO public.items SELECT g, 'from dc-a' FROM generate_series(501, 600) g");

            CompletableFuture<CliRun> leave = CompletableFuture.supplyAsync(() -> CliRun.of("leave", "--config",
                    cluster.configFile("dc-c").toString(), "--timeout", "60s"));
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-c",
                    "SELECT count(*) FROM syncline.membership WHERE drained_to IS NOT NULL") == 1);
            assertThat(cluster.node("dc-c").leaving()).as("dc-c's status while it drains").isTrue();
            for (String peer : List.of("dc-a", "dc-b")) {
                assertThat(cluster.queryLong(peer, "SELECT count(*) FROM public.items WHERE name = 'from dc-c'"))
                        .as("rows of dc-c at %s once drained", peer).isEqualTo(500);
            }

            // dc-b stops reading dc-c first: dc-a goes on applying dc-c's last progress reports, dc-b never will.
            cluster.stopNode("dc-b");
            await().atMost(WAIT).until(() -> cluster.appliedPositions("dc-a").get("dc-c")
                    > cluster.appliedPositions("dc-b").get("dc-c"));
            cluster.stopNode("dc-c");
            CliRun left = leave.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(left.status()).as(left.output()).isZero();
            assertThat(left.output()).contains("node dc-c left the deployment", "replication slot syncline_dc_c",
                    "publication syncline_dc_c", "replication origin syncline_from_dc_a", "replication origin syncline_from_dc_b");
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM pg_replication_slots")).isZero();
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM pg_publication")).isZero();
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM pg_replication_origin")).isZero();
            assertThat(CliRun.of("leave", "--config", cluster.configFile("dc-c").toString()).output())
                    .as("a second leave").contains("has left already");
            assertThat(CliRun.of("run", "--config", cluster.configFile("dc-c").toString()).status())
                    .as("syncline run of a node that left").isEqualTo(1);

            cluster.stopNode("dc-a");
            cluster.removeFromConfigs("dc-c");
            cluster.startNode("dc-a");
            cluster.startNode("dc-b");
            cluster.execute("dc-a", "DELETE FROM public.items WHERE id <= 100");
            cluster.execute("dc-b", "DELETE FROM public.items WHERE id > 550");
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-a", "SELECT count(*) FROM public.items") == 450
                    && cluster.queryLong("dc-b", "SELECT count(*) FROM public.items") == 450);
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-a", "SELECT count(*) FROM syncline.tombstone") == 0
                    && cluster.queryLong("dc-b", "SELECT count(*) FROM syncline.tombstone") == 0);
        }
    }
}
