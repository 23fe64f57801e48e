package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code syncline join} as the bootstrap of a deployment: dc-a holds the data (stamped by
 * {@code syncline init}), dc-b and dc-c are empty databases with the same schema. Each gets a copy
 * of dc-a while an application keeps writing at dc-a, then streams from where its copy ends:
 * nothing written during the copy is lost or applied twice, a delta counter stays exact, and
 * {@code syncline diff} finds no difference. The row count is {@code -Dsyncline.it.bootstrapRows}
 * (default 100,000), four fifths in one table and one fifth in the other.
 */
class BootstrapJoinIT {

    private static final Logger log = LoggerFactory.getLogger(BootstrapJoinIT.class);
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int ROWS = Integer.getInteger("syncline.it.bootstrapRows", 100_000);
    private static final int COUNTERS = ROWS / 5;
    private static final int ACCOUNTS = ROWS - COUNTERS;
    /** The workloads update and delete accounts from here on; the tests' own writes use the keys below. */
    private static final int FIRST_WORKLOAD_KEY = 101;
    private static final Map<String, String> TABLES = Map.of("public.accounts", "id", "public.counters", "id");
    private static final String TRIGGERS = "SELECT tgrelid::regclass::text, tgname, tgenabled::text, pg_get_triggerdef(oid)"
            + " FROM pg_trigger WHERE tgrelid IN ('public.accounts'::regclass, 'public.counters'::regclass) AND NOT tgisinternal"
            + " ORDER BY 1, 2";

    @Test
    void emptyNodesCopiedWhileThePopulatedOneIsWrittenConvergeWithExactCounters() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(3)
                .schema("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)")
                .schema("CREATE TABLE public.counters (id int PRIMARY KEY, hits bigint NOT NULL)")
                .replicate("public.accounts", "public.counters")
                .conflict("public.counters", "{columns: {hits: {policy: delta}}}")
                .beforeInit("dc-a", "INSERT INTO public.accounts SELECT g, 'owner ' || g, g FROM generate_series(1, " + ACCOUNTS + ") g",
                        "INSERT INTO public.counters SELECT g, g % 7 FROM generate_series(1, " + COUNTERS + ") g")
                .start()) {
            long initialHits = cluster.queryLong("dc-a", "SELECT sum(hits) FROM public.counters");
            cluster.startNode("dc-a");
            Workload workload = new Workload(cluster, "dc-a", ACCOUNTS + 1);
            Thread writer = new Thread(workload, "bootstrap-workload");
            writer.start();
            try {
                // dc-a publishes while the others copy: their copies must meet its outbox exactly.
                await().atMost(WAIT).until(() -> workload.committed.get() > 50);
                for (String node : new String[] {"dc-b", "dc-c"}) {
                    long before = workload.committed.get();
                    List<List<String>> triggers = cluster.queryRows(node, TRIGGERS);
                    assertThat(triggers).as("the stamp triggers at %s", node).isNotEmpty();
                    CliRun join = CliRun.of("join", "--config", cluster.configFile(node).toString(), "--from-config",
                            cluster.configFile("dc-a").toString(), "--chunk-rows", "5000");
                    assertThat(join.status()).as(join.output()).isZero();
                    assertThat(join.output()).contains("JOINING: copying 3 table(s) from dc-a", "rows/s", "CATCHUP");
                    assertThat(workload.committed.get()).as("transactions committed at dc-a while %s copied", node)
                            .isGreaterThan(before);
                    assertThat(cluster.queryString(node, "SELECT state FROM syncline.membership")).isEqualTo("catchup");
                    // The copy sets the insert triggers aside in each chunk's transaction: they are back as they were.
                    assertThat(cluster.queryRows(node, TRIGGERS)).as("the triggers at %s after the copy", node).isEqualTo(triggers);
                }
                cluster.startNode("dc-b");
                cluster.startNode("dc-c");
                for (String node : new String[] {"dc-b", "dc-c"}) {
                    await().atMost(WAIT).until(() -> cluster.node(node).membership().equals("active"));
                    assertThat(cluster.queryString(node, "SELECT state FROM syncline.membership")).isEqualTo("active");
                }
                // Active: the application writes there too.
                cluster.execute("dc-b", "UPDATE public.counters SET hits = hits + 5 WHERE id = 3",
                        "UPDATE public.accounts SET owner = 'written at dc-b' WHERE id = 11");
                cluster.execute("dc-c", "UPDATE public.counters SET hits = hits + 7 WHERE id = 3");
                workload.increments.addAndGet(12);
                await().atMost(WAIT).until(() -> workload.committed.get() > 300);
            } finally {
                workload.stop.set(true);
                writer.join();
            }
            assertThat(workload.failure).as("the workload's failure").isNull();
            log.info("workload at dc-a: {} transaction(s), {} counter increment(s)", workload.committed.get(),
                    workload.increments.get());
            cluster.awaitQuiet(WAIT);
            assertThat(cluster.compare(TABLES).mismatchedRows()).as("rows differing between the nodes").isZero();
            for (String node : cluster.names()) {
                assertThat(cluster.queryLong(node, "SELECT sum(hits) FROM public.counters"))
                        .as("the counters' total at %s: what existed plus every increment", node)
                        .isEqualTo(initialHits + workload.increments.get());
                assertThat(cluster.queryString(node, "SELECT owner FROM public.accounts WHERE id = 11")).isEqualTo("written at dc-b");
            }
            CliRun diff = CliRun.of("diff", "-c", cluster.configFile("dc-a").toString(), "-c", cluster.configFile("dc-b").toString(),
                    "-c", cluster.configFile("dc-c").toString(), "--settle", "1s");
            assertThat(diff.status()).as(diff.output()).isZero();
        }
    }

    @Test
    void nodeJoiningARunningDeploymentUnderLoadConvergesAfterItsKilledJoinRanAgain() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(3)
                .schema("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)")
                .schema("CREATE TABLE public.counters (id int PRIMARY KEY, hits bigint NOT NULL)")
                .replicate("public.accounts", "public.counters")
                .conflict("public.counters", "{columns: {hits: {policy: delta}}}")
                .beforeInit("dc-a", "INSERT INTO public.accounts SELECT g, 'owner ' || g, g FROM generate_series(1, " + ACCOUNTS + ") g",
                        "INSERT INTO public.counters SELECT g, g % 7 FROM generate_series(1, " + COUNTERS + ") g")
                .start()) {
            long initialHits = cluster.queryLong("dc-a", "SELECT sum(hits) FROM public.counters");
            // The running two-DC deployment: dc-b bootstrapped from dc-a, both written.
            CliRun bootstrap = CliRun.of("join", "--config", cluster.configFile("dc-b").toString(), "--from-config",
                    cluster.configFile("dc-a").toString());
            assertThat(bootstrap.status()).as(bootstrap.output()).isZero();
            cluster.startNode("dc-a");
            cluster.startNode("dc-b");
            await().atMost(WAIT).until(() -> cluster.node("dc-b").membership().equals("active"));
            Workload atA = new Workload(cluster, "dc-a", ACCOUNTS + 1);
            Workload atB = new Workload(cluster, "dc-b", 10_000_001);
            Thread writerA = new Thread(atA, "workload-dc-a");
            Thread writerB = new Thread(atB, "workload-dc-b");
            writerA.start();
            writerB.start();
            try {
                await().atMost(WAIT).until(() -> atA.committed.get() > 50 && atB.committed.get() > 50);
                // dc-c joins from dc-b; its join is killed in the middle of the accounts. One table at a time, so that
                // the counters are not started yet; the join run again copies the rest with the default workers.
                NodeProcess killed = cluster.startCommandProcess("join-dc-c", "join", "--config",
                        cluster.configFile("dc-c").toString(), "--from-config", cluster.configFile("dc-b").toString(),
                        "--chunk-rows", "2000", "--copy-workers", "1", "--outbox-timeout", "3m");
                await().atMost(WAIT).until(() -> cluster.queryLong("dc-c", "SELECT coalesce(max(copied), 0) FROM"
                        + " syncline.join_copy WHERE table_name = 'public.accounts' AND finished_at IS NULL") >= 10_000);
                killed.kill();
                long copiedBefore = cluster.queryLong("dc-c", "SELECT copied FROM syncline.join_copy WHERE table_name = 'public.accounts'");
                assertThat(cluster.queryString("dc-c", "SELECT state FROM syncline.membership")).isEqualTo("joining");
                assertThat(copiedBefore).as("accounts copied before the kill").isLessThan(ACCOUNTS);
                String status = errorOutput(() -> CliRun.of("status", "--config", cluster.configFile("dc-c").toString()));
                assertThat(status).contains("its database says: membership joining from dc-b: 0 table(s) copied, 1 in progress, "
                        + String.format("%,d", copiedBefore) + " row(s) so far");
                await().atMost(WAIT).until(() -> atA.committed.get() > 200 && atB.committed.get() > 200);

                CliRun resumed = CliRun.of("join", "--config", cluster.configFile("dc-c").toString(), "--from-config",
                        cluster.configFile("dc-b").toString(), "--chunk-rows", "2000");
                assertThat(resumed.status()).as(resumed.output()).isZero();
                assertThat(resumed.output()).contains("resuming the join of dc-c from dc-b",
                        String.format("(resuming: %,d copied before)", copiedBefore), "CATCHUP");
                cluster.startNode("dc-c");
                await().atMost(WAIT).until(() -> cluster.node("dc-c").membership().equals("active"));
                cluster.execute("dc-c", "UPDATE public.counters SET hits = hits + 4 WHERE id = 5",
                        "UPDATE public.accounts SET owner = 'written at dc-c' WHERE id = 12");
                atA.increments.addAndGet(4);
                long committed = atA.committed.get() + atB.committed.get();
                await().atMost(WAIT).until(() -> atA.committed.get() + atB.committed.get() > committed + 200);
            } finally {
                atA.stop.set(true);
                atB.stop.set(true);
                writerA.join();
                writerB.join();
            }
            assertThat(atA.failure).as("the workload's failure at dc-a").isNull();
            assertThat(atB.failure).as("the workload's failure at dc-b").isNull();
            cluster.awaitQuiet(WAIT);
            assertThat(cluster.compare(TABLES).mismatchedRows()).as("rows differing between the nodes").isZero();
            long increments = atA.increments.get() + atB.increments.get();
            for (String node : cluster.names()) {
                assertThat(cluster.queryLong(node, "SELECT sum(hits) FROM public.counters"))
                        .as("the counters' total at %s: what existed plus every increment", node)
                        .isEqualTo(initialHits + increments);
                assertThat(cluster.queryString(node, "SELECT owner FROM public.accounts WHERE id = 12")).isEqualTo("written at dc-c");
            }
            CliRun diff = CliRun.of("diff", "-c", cluster.configFile("dc-a").toString(), "-c", cluster.configFile("dc-b").toString(),
                    "-c", cluster.configFile("dc-c").toString(), "--settle", "1s");
            assertThat(diff.status()).as(diff.output()).isZero();
        }
    }

    @Test
    void joinRefusesBeforeCopyingWhenThePeersOutboxNoLongerHoldsWhatItsCopyLacks() throws Exception {
        try (DcCluster cluster = DcCluster.builder()
                .nodes(3)
                .schema("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)")
                .schema("CREATE TABLE public.counters (id int PRIMARY KEY, hits bigint NOT NULL)")
                .schema("CREATE TABLE public.pairs (a text, b int, v text, PRIMARY KEY (a, b))")
                .replicate("public.accounts", "public.counters", "public.pairs")
                .beforeInit("dc-a", "INSERT INTO public.accounts SELECT g, 'owner ' || g, g FROM generate_series(1, 1000) g",
                        "INSERT INTO public.pairs SELECT 'k''' || (g % 13), g, 'v' || g FROM generate_series(1, 3000) g")
                .start()) {
            CliRun bootstrap = CliRun.of("join", "--config", cluster.configFile("dc-b").toString(), "--from-config",
                    cluster.configFile("dc-a").toString());
            assertThat(bootstrap.status()).as(bootstrap.output()).isZero();
            cluster.startNode("dc-a");
            cluster.startNode("dc-b");
            cluster.execute("dc-a", "UPDATE public.accounts SET balance = -1 WHERE id = 1");
            await().atMost(WAIT).until(() -> cluster.queryLong("dc-b", "SELECT balance FROM public.accounts WHERE id = 1") == -1);
            // Only an active member is a source of a join: dc-b must have caught up, not just applied the update.
            await().atMost(WAIT).until(() -> "active".equals(cluster.queryString("dc-b",
                    "SELECT state FROM syncline.membership WHERE node_id = 'dc-b'")));
            // dc-b stops applying dc-a; what dc-a writes next is then only in its outbox, and retention deletes it.
            cluster.stopNode("dc-b");
            cluster.execute("dc-a", "UPDATE public.accounts SET balance = -2 WHERE id = 2", "UPDATE public.accounts SET balance = -3"
                    + " WHERE id = 3");
            long appliedAtB = cluster.appliedPositions("dc-b").get("dc-a");
            long readAtB = cluster.queryLong("dc-b", "SELECT next_offset FROM syncline.link_offset WHERE upstream_node = 'dc-a'");
            // Published, and recorded as published: the copy from dc-a itself then needs nothing of its outbox.
            await().atMost(WAIT).until(() -> {
                List<DcCluster.OutboxRecord> outbox = cluster.outbox("dc-a");
                long newest = outbox.stream().mapToLong(DcCluster.OutboxRecord::position).max().orElse(-1);
                return outbox.stream().filter(r -> r.position() > appliedAtB).mapToInt(DcCluster.OutboxRecord::changes).sum() >= 2
                        && cluster.queryLong("dc-a", "SELECT coalesce(last_published_position, -1) FROM syncline.capture_identity")
                        >= newest;
            });
            long end = cluster.outboxEndOffset("dc-a");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.kafka("dc-a").bootstrapServers()))) {
                admin.deleteRecords(Map.of(new TopicPartition("syncline.outbox.dc-a", 0), RecordsToDelete.beforeOffset(end)))
                        .all().get(30, TimeUnit.SECONDS);
            }

            CliRun[] refused = new CliRun[1];
            String refusal = errorOutput(() -> refused[0] = CliRun.of("join", "--config", cluster.configFile("dc-c").toString(),
                    "--from-config", cluster.configFile("dc-b").toString()));
            assertThat(refused[0].status()).isEqualTo(1);
            assertThat(refusal).contains("refused: outbox syncline.outbox.dc-a of dc-a no longer holds what this node needs: it"
                    + " begins at offset " + end + ", and dc-b, the peer the copy comes from, had read it up to offset " + readAtB,
                    "Join from a peer that applied more of dc-a", "nothing was copied");
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM public.accounts")).as("rows copied").isZero();
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM syncline.membership")).as("membership rows").isZero();

            // dc-a holds everything it published: the copy from it needs nothing of its outbox.
            CliRun fromA = CliRun.of("join", "--config", cluster.configFile("dc-c").toString(), "--from-config",
                    cluster.configFile("dc-a").toString(), "--chunk-rows", "500");
            assertThat(fromA.status()).as(fromA.output()).isZero();
            assertThat(cluster.queryLong("dc-c", "SELECT count(*) FROM public.accounts WHERE balance < 0")).isEqualTo(3);
            // A two-column key with a quote in its text, copied in chunks: every row once, metadata included.
            String pairs = "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY a, b)) FROM public.pairs t";
            assertThat(cluster.queryString("dc-c", pairs)).isEqualTo(cluster.queryString("dc-a", pairs)).startsWith("3000 ");
        }
    }

    /** What {@code command} printed to standard error (refusals, and status when no node answers). */
    private static String errorOutput(Runnable command) {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setErr(original);
        }
        String printed = errors.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        return printed;
    }

    /** Updates, inserts, deletes and counter increments at one node, one per transaction, until stopped. */
    private static final class Workload implements Runnable {

        private final DcCluster cluster;
        private final String node;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong committed = new AtomicLong();
        final AtomicLong increments = new AtomicLong();
        volatile Throwable failure;

        private final int firstInsertedId;

        /** @param firstInsertedId the key of the first row it inserts; each node inserts its own keys */
        Workload(DcCluster cluster, String node, int firstInsertedId) {
            this.cluster = cluster;
            this.node = node;
            this.firstInsertedId = firstInsertedId;
        }

        @Override
        public void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int nextId = firstInsertedId;
            try (Connection connection = cluster.connect(node);
                    PreparedStatement update = connection.prepareStatement("UPDATE public.accounts SET balance = balance + 1,"
                            + " owner = 'updated at " + node + "' WHERE id = ?");
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO public.accounts VALUES (?, 'inserted', 0)");
                    PreparedStatement delete = connection.prepareStatement("DELETE FROM public.accounts WHERE id = ?");
                    PreparedStatement count = connection.prepareStatement("UPDATE public.counters SET hits = hits + ? WHERE id = ?")) {
                while (!stop.get()) {
                    switch (random.nextInt(4)) {
                        case 0 -> {
                            update.setInt(1, FIRST_WORKLOAD_KEY + random.nextInt(ACCOUNTS - FIRST_WORKLOAD_KEY));
                            update.executeUpdate();
                        }
                        case 1 -> {
                            insert.setInt(1, nextId++);
                            insert.executeUpdate();
                        }
                        case 2 -> {
                            delete.setInt(1, FIRST_WORKLOAD_KEY + random.nextInt(ACCOUNTS - FIRST_WORKLOAD_KEY));
                            delete.executeUpdate();
                        }
                        default -> {
                            int by = 1 + random.nextInt(9);
                            count.setInt(1, by);
                            count.setInt(2, 1 + random.nextInt(COUNTERS));
                            if (count.executeUpdate() == 1) {
                                increments.addAndGet(by);
                            }
                        }
                    }
                    committed.incrementAndGet();
                    // About 100 transactions a second: an application's pace, not a load test.
                    LockSupport.parkNanos(10_000_000);
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }
    }
}
