package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import io.syncline.node.cli.SynclineCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline diff} and {@code syncline repair} on three running datacenters: differences
 * planted by hand where replication does not see them (a changed value, a missing row, an extra
 * row) are found by diff, repaired by repair with the newest version winning, and a second diff is
 * clean.
 */
class DiffRepairIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void plantedDifferencesAreFoundRepairedAndGone() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(3)
                .schema("CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL)")
                .schema("CREATE TABLE public.pairs (a text, b int, v text, PRIMARY KEY (a, b))")
                .replicate("public.items", "public.pairs")
                .start()) {
            cluster.startAllNodes();
            cluster.execute("dc-a", "INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(1, 2500) g",
                    "INSERT INTO public.pairs SELECT 'k' || (g % 7), g, 'v' FROM generate_series(1, 300) g");
            for (String node : cluster.names()) {
                await().atMost(WAIT).until(() -> cluster.queryLong(node, "SELECT count(*) FROM public.items") == 2500
                        && cluster.queryLong(node, "SELECT count(*) FROM public.pairs") == 300);
            }
            assertThat(cli(cluster, "diff").status()).as("a diff before anything was planted").isZero();

            // Writes that replication does not see: marked as another origin's apply, the triggers
            // leave the versions alone and the captures drop them.
            planted(cluster, "dc-b", "UPDATE public.items SET name = 'changed at dc-b', syncline_hlc = syncline_hlc + 1"
                    + " WHERE id = 17");
            planted(cluster, "dc-c", "DELETE FROM public.items WHERE id = 1234");
            planted(cluster, "dc-a", "INSERT INTO public.pairs VALUES ('extra', 1, 'only at dc-a')");

            Run diff = cli(cluster, "diff");
            assertThat(diff.status()).as(diff.output()).isEqualTo(1);
            assertThat(diff.output()).contains("public.items key (17): differs", "public.items key (1234): missing at dc-c", "in 7 chunk(s)",
                    "public.pairs key (extra, 1): missing at dc-b, dc-c", "3 key(s) differ");

            Run dryRun = cli(cluster, "repair");
            assertThat(dryRun.status()).as(dryRun.output()).isZero();
            assertThat(dryRun.output()).contains("would rewrite at dc-b: public.items key (17)",
                    "would rewrite at dc-a: public.pairs key (extra, 1)", "dry run: 3 write(s) would be made");
            assertThat(cli(cluster, "diff").status()).as("nothing changed by the dry run").isEqualTo(1);

            Run repair = cli(cluster, "repair", "--apply");
            assertThat(repair.status()).as(repair.output()).isZero();
            assertThat(repair.output()).contains("3 write(s) made");
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cli(cluster, "diff", "--rechecks", "0").status() == 0);
            for (String node : cluster.names()) {
                assertThat(cluster.queryString(node, "SELECT name FROM public.items WHERE id = 17")).isEqualTo("changed at dc-b");
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM public.items WHERE id = 1234"))
                        .as("row 1234 restored at %s", node).isEqualTo(1);
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM public.pairs")).isEqualTo(301);
            }
        }
    }

    private static void planted(DcCluster cluster, String node, String sql) throws Exception {
        String origin = "planted_" + node.replace('-', '_');
        cluster.execute(node, "SELECT pg_replication_origin_create('" + origin + "') WHERE NOT EXISTS"
                + " (SELECT 1 FROM pg_replication_origin WHERE roname = '" + origin + "')");
        // As the applier marks its transactions: the session's origin is set when the write commits (before
        // PostgreSQL 16 the capture sees the origin of the commit record only).
        cluster.execute(node, "SELECT pg_replication_origin_session_setup('" + origin + "')", sql,
                "SELECT pg_replication_origin_session_reset()");
    }

    private record Run(int status, String output) {}

    private static Run cli(DcCluster cluster, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command));
        for (String node : cluster.names()) {
            args.add("--config");
            args.add(cluster.configFile(node).toString());
        }
        args.addAll(List.of("--settle", "1s", "--chunk-rows", "400"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        int status;
        try {
            status = SynclineCli.run(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        return new Run(status, output);
    }
}
