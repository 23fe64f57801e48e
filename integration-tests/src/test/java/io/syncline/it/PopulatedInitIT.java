package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.schema.ExistingRowStamper;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * {@code syncline init} on tables that already hold rows: every row gets a version of the node,
 * in chunks that survive an interruption, without publishing a change per row; a second DC that
 * copied the stamped rows then replicates later updates of them, and concurrent updates of such a
 * row converge.
 */
class PopulatedInitIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ACCOUNTS = "public.accounts";
    private static final String PAIRS = "public.pairs";
    private static final String COUNTERS = "public.counters";
    private static final String UNSTAMPED = " WHERE syncline_hlc = 0 OR syncline_node <> 'dc-a' OR syncline_vv <> '{\"dc-a\": 1}'";
    private static final String FINGERPRINT = "SELECT md5(string_agg(t::text, ',' ORDER BY %s)) FROM %s t";

    @Test
    void existingRowsGetVersionsResumablyAndReplicateOnceCopied() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)")
                .schema("CREATE TABLE public.pairs (a text, b int, v text, PRIMARY KEY (a, b))")
                .schema("CREATE TABLE public.counters (id int PRIMARY KEY, hits bigint NOT NULL)")
                .replicate(ACCOUNTS, PAIRS, COUNTERS)
                .conflict(COUNTERS, "{columns: {hits: {policy: delta}}}")
                .beforeInit("dc-a", "INSERT INTO public.accounts SELECT g, 'owner ' || g, g FROM generate_series(1, 12000) g",
                        "INSERT INTO public.pairs SELECT 'k' || (g % 13), g, 'v' || g FROM generate_series(1, 8000) g",
                        "INSERT INTO public.counters SELECT g, g FROM generate_series(1, 100) g")
                .initLater("dc-a")
                .start()) {
            // An init interrupted after its third chunk: the schema is in, part of the rows have versions.
            NodeConfig config = NodeConfigLoader.load(cluster.configFile("dc-a"));
            try (Connection connection = cluster.connect("dc-a")) {
                new ReplicationSchemaInstaller("dc-a").installConfigured(connection, config.tables());
                ExistingRowStamper interrupted = new ExistingRowStamper("dc-a", 1000, new ExistingRowStamper.Listener() {
                    private int chunks;

                    @Override
                    public void tableStarted(String table, long unstamped, long resumedAfter) {}

                    @Override
                    public void chunkCommitted(String table, long stamped) {
                        if (++chunks == 3) {
                            throw new IllegalStateException("interrupted by the test");
                        }
                    }
                });
                assertThatThrownBy(() -> interrupted.stamp(connection, config.tables())).hasMessageContaining("interrupted");
            }
            assertThat(cluster.queryLong("dc-a", "SELECT count(*) FROM public.accounts WHERE syncline_hlc <> 0"))
                    .as("rows stamped before the interruption").isEqualTo(3000);

            // Started in between, so that its slot sees the rest of the stamping: none of it is published.
            cluster.startNode("dc-a");
            cluster.stopNode("dc-a");
            CliRun resumed = cluster.init("dc-a");
            assertThat(resumed.status()).as(resumed.output()).isZero();
            assertThat(resumed.output()).contains("public.accounts: 9,000 row(s) without a version (resuming: 3,000 stamped before)",
                    "public.pairs: 8,000 row(s) without a version", "stamped 17,100 existing row(s) in", "rows/s");
            for (String table : List.of(ACCOUNTS, PAIRS)) {
                assertThat(cluster.queryLong("dc-a", "SELECT count(*) FROM " + table + UNSTAMPED))
                        .as("rows of %s without a version of dc-a", table).isZero();
            }
            assertThat(cluster.queryLong("dc-a", "SELECT count(*) FROM public.counters WHERE syncline_delta"
                    + " <> jsonb_build_object('hits', jsonb_build_object('dc-a', hits::text))"))
                    .as("counters whose value is not dc-a's contribution").isZero();
            String accounts = cluster.queryString("dc-a", FINGERPRINT.formatted("id", ACCOUNTS));
            String pairs = cluster.queryString("dc-a", FINGERPRINT.formatted("a, b", PAIRS));
            CliRun again = cluster.init("dc-a");
            assertThat(again.status()).as(again.output()).isZero();
            assertThat(again.output()).contains("public.accounts: every row has a version").doesNotContain("stamped");
            assertThat(cluster.queryString("dc-a", FINGERPRINT.formatted("id", ACCOUNTS))).as("accounts after a second init")
                    .isEqualTo(accounts);
            assertThat(cluster.queryString("dc-a", FINGERPRINT.formatted("a, b", PAIRS))).as("pairs after a second init")
                    .isEqualTo(pairs);

            // dc-b starts from a copy of dc-a's rows with their versions (what a bootstrap copies).
            copy(cluster, ACCOUNTS);
            copy(cluster, PAIRS);
            copy(cluster, COUNTERS);
            cluster.startAllNodes();

            cluster.execute("dc-a", "UPDATE public.accounts SET balance = -1 WHERE id = 42",
                    "UPDATE public.pairs SET v = 'changed at dc-a' WHERE a = 'k3' AND b = 3");
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-b", "SELECT balance FROM public.accounts WHERE id = 42") == -1
                    && "changed at dc-a".equals(cluster.queryString("dc-b", "SELECT v FROM public.pairs WHERE a = 'k3' AND b = 3")));
            assertThat(cluster.queryString("dc-b", "SELECT syncline_vv::text FROM public.accounts WHERE id = 42"))
                    .isEqualTo("{\"dc-a\": 2}");
            // dc-a's capture has read past the stamping by now: it published the two updates, not the stamps.
            assertThat(cluster.outbox("dc-a").stream().mapToInt(DcCluster.OutboxRecord::changes).sum())
                    .as("changes in dc-a's outbox").isLessThan(10);

            // Concurrent updates of a pre-existing row: dc-b's link is down while both write it.
            cluster.stopNode("dc-b");
            cluster.execute("dc-a", "UPDATE public.accounts SET owner = 'written at dc-a' WHERE id = 7");
            cluster.execute("dc-b", "UPDATE public.accounts SET owner = 'written at dc-b' WHERE id = 7");
            cluster.execute("dc-a", "UPDATE public.counters SET hits = hits + 5 WHERE id = 10");
            cluster.execute("dc-b", "UPDATE public.counters SET hits = hits + 7 WHERE id = 10");
            cluster.startNode("dc-b");
            await().atMost(WAIT).until(() -> cluster.compare(Map.of(ACCOUNTS, "id", PAIRS, "a, b", COUNTERS, "id")).mismatchedRows() == 0
                    && cluster.queryLong("dc-a", "SELECT count(*) FROM syncline.conflict_log") > 0);
            for (String node : cluster.names()) {
                assertThat(cluster.queryString(node, "SELECT owner FROM public.accounts WHERE id = 7"))
                        .as("the later write wins at %s", node).isEqualTo("written at dc-b");
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM public.accounts")).isEqualTo(12000);
                assertThat(cluster.queryLong(node, "SELECT hits FROM public.counters WHERE id = 10"))
                        .as("the existing 10 plus both increments at %s", node).isEqualTo(22);
            }
            assertThat(cluster.queryString("dc-a", "SELECT syncline_vv::text FROM public.accounts WHERE id = 7"))
                    .isEqualTo("{\"dc-a\": 2, \"dc-b\": 1}");
            CliRun diff = CliRun.of("diff", "-c", cluster.configFile("dc-a").toString(), "-c",
                    cluster.configFile("dc-b").toString(), "--settle", "1s");
            assertThat(diff.status()).as(diff.output()).isZero();
        }
    }

    /** Copies {@code table} from dc-a to dc-b with its replication metadata, as an apply session (the triggers keep the versions). */
    private static void copy(DcCluster cluster, String table) throws Exception {
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        try (Connection from = cluster.connect("dc-a")) {
            from.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT (FORMAT binary)", rows);
        }
        try (Connection to = cluster.connect("dc-b"); Statement statement = to.createStatement()) {
            statement.execute("SELECT pg_replication_origin_create('test_copy') WHERE pg_replication_origin_oid('test_copy') IS NULL");
            statement.execute("SELECT pg_replication_origin_session_setup('test_copy')");
            to.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(rows.toByteArray()));
            statement.execute("SELECT pg_replication_origin_session_reset()");
        }
    }
}
