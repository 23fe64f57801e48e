package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * A schema change made at one datacenter only: the link that brings its changes to the other
 * datacenter pauses in SCHEMA_MISMATCH instead of failing or casting with loss, the opposite
 * direction keeps streaming, and once the same change is made at the other datacenter the paused
 * link resumes by itself and both converge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaDriftIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private DcCluster cluster;

    @BeforeAll
    void start() {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE TABLE public.item (id int PRIMARY KEY, name text)")
                .schema("CREATE TABLE public.price (id int PRIMARY KEY, label varchar(10))")
                .schema("CREATE TABLE public.typed (id int PRIMARY KEY, amount numeric(10,2), at timestamptz, t3 timestamp(3),"
                        + " f float8, v varchar(20), c char(4), n numeric, b boolean, j jsonb)")
                .replicate("public.item", "public.price", "public.typed")
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
    void aColumnAddedAtOneNodePausesTheLinkFromItUntilTheOtherHasItToo() throws Exception {
        cluster.execute(B, "ALTER TABLE item ADD COLUMN color text", "INSERT INTO item (id, name, color) VALUES (1, 'from b', 'red')");

        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.SCHEMA_MISMATCH);
        assertThat(linkFrom(B).lastError()).contains("public.item").contains("color").contains("dc-b");
        // The other direction streams on: dc-b takes dc-a's rows without the column.
        cluster.execute(A, "INSERT INTO item (id, name) VALUES (2, 'from a')");
        await().atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM item WHERE id = 2") == 1);
        assertThat(cluster.queryLong(A, "SELECT count(*) FROM item WHERE id = 1")).isZero();

        cluster.execute(A, "ALTER TABLE item ADD COLUMN color text");

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.queryString(A, "SELECT color FROM item WHERE id = 1"))
                .as(() -> "color of dc-b's row at dc-a; the link from dc-b: " + describe(linkFrom(B))).isEqualTo("red"));
        // The link says STREAMING just after its commit made the row visible: wait for it, do not race it.
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.STREAMING);
        cluster.awaitQuiet(WAIT);
        assertThat(cluster.compare(Map.of("public.item", "id")).examples()).isEmpty();
    }

    @Test
    void aColumnNarrowerAtOneNodePausesTheLinkIntoItUntilItIsWidenedToo() throws Exception {
        cluster.execute(B, "ALTER TABLE price ALTER COLUMN label TYPE varchar(40)",
                "INSERT INTO price (id, label) VALUES (1, 'longer than ten characters')");

        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.SCHEMA_MISMATCH);
        assertThat(linkFrom(B).lastError()).contains("public.price").contains("label").contains("character varying(10)");
        // dc-a's varchar(10) values fit dc-b's varchar(40): that direction streams on.
        cluster.execute(A, "INSERT INTO price (id, label) VALUES (2, 'short')");
        await().atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM price WHERE id = 2") == 1);
        assertThat(cluster.queryLong(A, "SELECT count(*) FROM price WHERE id = 1")).isZero();

        cluster.execute(A, "ALTER TABLE price ALTER COLUMN label TYPE varchar(40)");

        await().atMost(WAIT).until(() -> cluster.queryLong(A, "SELECT count(*) FROM price WHERE id = 1") == 1);
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.STREAMING);
        cluster.awaitQuiet(WAIT);
        assertThat(cluster.compare(Map.of("public.price", "id")).examples()).isEmpty();
        assertThat(cluster.queryRows(A, "SELECT id, label FROM price ORDER BY id"))
                .containsExactly(List.of("1", "longer than ten characters"), List.of("2", "short"));
    }

    @Test
    void equalTypesReplicateWhileAnotherScaleOrATimestampWithoutTimeZonePausesTheLink() throws Exception {
        cluster.execute(B, "INSERT INTO typed (id, amount, at, t3, f, v, c, n, b, j) VALUES (1, 12.34,"
                + " '2026-01-02 03:04:05.123456+02', '2026-01-02 03:04:05.123', 1.5, 'x', 'ab', 3.14159, true, '{\"k\": 1}')");
        await().atMost(WAIT).until(() -> cluster.queryLong(A, "SELECT count(*) FROM typed WHERE id = 1") == 1);
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.STREAMING);

        cluster.execute(B, "ALTER TABLE typed ALTER COLUMN at TYPE timestamp",
                "INSERT INTO typed (id, at) VALUES (2, '2026-01-02 03:04:05')");
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.SCHEMA_MISMATCH);
        assertThat(linkFrom(B).lastError()).contains("column at of public.typed").contains("timestamp with time zone");
        cluster.execute(A, "ALTER TABLE typed ALTER COLUMN at TYPE timestamp");
        await().atMost(WAIT).until(() -> cluster.queryLong(A, "SELECT count(*) FROM typed WHERE id = 2") == 1);

        cluster.execute(B, "ALTER TABLE typed ALTER COLUMN amount TYPE numeric(10,3)",
                "INSERT INTO typed (id, amount) VALUES (3, 1.234)");
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.SCHEMA_MISMATCH);
        assertThat(linkFrom(B).lastError()).contains("column amount of public.typed").contains("numeric(10,2)");
        assertThat(cluster.queryLong(A, "SELECT count(*) FROM typed WHERE id = 3")).isZero();
        cluster.execute(A, "ALTER TABLE typed ALTER COLUMN amount TYPE numeric(10,3)");
        await().atMost(WAIT).until(() -> cluster.queryLong(A, "SELECT count(*) FROM typed WHERE id = 3") == 1);
        await().atMost(WAIT).until(() -> linkFrom(B).state() == LinkStatus.State.STREAMING);
        assertThat(cluster.queryRows(A, "SELECT id, amount FROM typed WHERE id = 3")).containsExactly(List.of("3", "1.234"));
    }

    private static String describe(LinkStatus link) {
        return link.state() + (link.lastError() == null ? "" : " (" + link.lastError() + ")");
    }

    private LinkStatus linkFrom(String upstream) {
        return cluster.node(A).links().stream().filter(l -> l.upstream().equals(upstream)).findFirst().orElseThrow();
    }
}
