package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.connector.CaptureConfig;
import io.syncline.connector.LocalCapture;
import io.syncline.connector.OutboxPublisher;
import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.schema.TableObjectNames;
import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The capture against a real PostgreSQL and a real Kafka broker from {@link TestEnvironments}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaptureIT {

    private static final String NODE = "dc-a";
    private static final String TABLE = "public.items";
    private static final String COLUMNS = "id, c_small, c_int, c_big, c_num, c_num_free, c_real, c_double, c_text, c_varchar, c_char,"
            + " c_bytea, c_bool, c_uuid, c_json, c_jsonb, c_ts, c_tstz, c_date, c_time, c_interval, c_int_arr, c_text_arr,"
            + " c_num_arr, c_bool_arr, c_tstz_arr, c_date_arr, c_uuid_arr, c_jsonb_arr, c_bytea_arr, c_float_arr, c_large";

    private Environment environment;
    private PostgresServer postgres;
    private KafkaCluster kafka;
    private Path dataDir;
    private final List<ConsumerRecord<byte[], byte[]>> outbox = new ArrayList<>();
    private KafkaConsumer<byte[], byte[]> reader;

    @BeforeAll
    void startServers() throws Exception {
        environment = TestEnvironments.create();
        postgres = environment.startPostgres(NODE);
        kafka = environment.startKafka(NODE);
        dataDir = Files.createTempDirectory("syncline-capture-it-data");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, c_small smallint, c_int int, c_big bigint,"
                    + " c_num numeric(12,3), c_num_free numeric, c_real real, c_double double precision, c_text text,"
                    + " c_varchar varchar(20), c_char char(5), c_bytea bytea, c_bool boolean, c_uuid uuid, c_json json, c_jsonb jsonb,"
                    + " c_ts timestamp, c_tstz timestamptz, c_date date, c_time time, c_interval interval, c_int_arr int[],"
                    + " c_text_arr text[], c_num_arr numeric[], c_bool_arr boolean[], c_tstz_arr timestamptz[], c_date_arr date[],"
                    + " c_uuid_arr uuid[], c_jsonb_arr jsonb[], c_bytea_arr bytea[], c_float_arr float8[], c_large text)");
            new ReplicationSchemaInstaller(NODE).install(c, List.of(TABLE));
        }
        // earliest: the first poll may come after the capture published; the default (latest) would then skip the outbox.
        reader = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "isolation.level", "read_committed",
                "max.partition.fetch.bytes", 64 * 1024 * 1024, "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        reader.assign(List.of(new TopicPartition(ReplicationSchema.outboxTopic(NODE), 0)));
    }

    @AfterAll
    void stopServers() throws Exception {
        try {
            if (reader != null) {
                reader.close();
            }
        } finally {
            if (environment != null) {
                environment.close();
            }
            if (dataDir != null) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
        return c;
    }

    private CaptureConfig config() {
        return config(List.of(TABLE));
    }

    private CaptureConfig config(List<String> tables) {
        return new CaptureConfig(NODE, postgres.host(), postgres.port(), postgres.database(), postgres.user(), postgres.password(),
                tables, dataDir, Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    private List<SourceTransaction> readOutbox() {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
            outbox.add(r);
        }
        return outbox.stream().map(r -> TransactionCodec.decode(r.value(),
                EventHeaders.decodePath(r.headers().lastHeader(EventHeaders.PATH).value()))).toList();
    }

    private static Map<String, String> rowAsText(Connection c, long id) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        String[] cols = COLUMNS.split(",\\s*");
        for (int i = 0; i < cols.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(cols[i]).append("::text AS ").append(cols[i]);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql + " FROM " + TABLE + " WHERE id = " + id)) {
            assertThat(rs.next()).isTrue();
            Map<String, String> row = new LinkedHashMap<>();
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                row.put(md.getColumnName(i), rs.getString(i));
            }
            return row;
        }
    }

    private static long commitAndXid(Connection c) throws SQLException {
        long xid;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT txid_current() % 4294967296")) {
            rs.next();
            xid = rs.getLong(1);
        }
        c.commit();
        return xid;
    }

    private static final String ROW_VALUES = "(%d, -32768, 2147483647, -9223372036854775808, 123456789.125, 'NaN', 1.1, 'NaN',"
            + " 'héllo \"q\" \\ end', 'var', 'ab', '\\x00ff10', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"b\": 1,  \"a\": [1, 2]}',"
            + " '{\"b\": 1, \"a\": [1, 2.50]}', '2024-02-29 23:59:59.123456', '2024-06-01 12:00:00.5+02', '0044-03-15 BC', '24:00:00',"
            + " '1 year -2 mons 3 days -04:05:06.5', '{1,NULL,-3}', '{\"a b\",\"\",NULL,\"q\\\"\\\\\",\"NULL\",\"x,y\"}', '{1.50,NULL,-2}',"
            + " '{t,f,NULL}', '{\"2024-01-01 10:00:00+00\",NULL}', '{2024-01-01,infinity,-infinity}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',"
            + " ARRAY['{\"k\": \"v\"}'::jsonb], '{\"\\\\x0102\",NULL}', '{1e20,-0.5,Infinity}', %s)";

    @Test
    @Order(0)
    void startRefusesTablesWithoutPrimaryKeyOrRowVersionsWithAllReasonsAtOnce() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.nopk (a int)");
        }
        CaptureConfig bad = config(List.of(TABLE, "public.nopk", "public.missing"));
        LocalCapture capture = new LocalCapture(bad);
        org.assertj.core.api.Assertions.assertThatThrownBy(capture::start)
                .isInstanceOf(io.syncline.connector.CaptureSetupException.class)
                .hasMessageContaining("public.nopk has no primary key")
                .hasMessageContaining("public.nopk lacks the row-version columns")
                .hasMessageContaining("public.missing does not exist")
                .hasMessageContaining("does not include public.nopk");
        assertThat(capture.state()).isEqualTo(LocalCapture.State.FAILED);
        capture.close();
    }

    @Test
    @Order(0)
    void startRefusesTablesInstalledByAnOlderInitOrChangedSinceSayingToRunInitAgain() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TYPE public.place AS (city text, zip int)");
            s.execute("CREATE TABLE public.parted (region text, id int, PRIMARY KEY (region, id)) PARTITION BY LIST (region)");
            s.execute("CREATE TABLE public.parted_eu PARTITION OF public.parted FOR VALUES IN ('eu')");
            s.execute("CREATE TABLE public.renamed (id int PRIMARY KEY)");
            new ReplicationSchemaInstaller(NODE).install(c, List.of(TABLE, "public.parted", "public.renamed"));
            // Since init: a partition, a column of a composite type, a function back under the old name.
            s.execute("CREATE TABLE public.parted_us PARTITION OF public.parted FOR VALUES IN ('us')");
            s.execute("ALTER TABLE public.renamed ADD COLUMN at public.place");
            s.execute("ALTER FUNCTION syncline.\"" + TableObjectNames.of("public", "renamed").function(TableObjectNames.Kind.STAMP)
                    + "\"() RENAME TO public_renamed_stamp");
            s.execute("ALTER PUBLICATION " + ReplicationSchema.publicationName(NODE) + " SET (publish_via_partition_root = false)");
        }
        LocalCapture capture = new LocalCapture(config(List.of(TABLE, "public.parted", "public.renamed")));
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(capture::start)
                    .isInstanceOf(io.syncline.connector.CaptureSetupException.class)
                    .hasMessageContaining("partitions [parted_us] of table public.parted lack the trigger that refuses a TRUNCATE")
                    .hasMessageContaining("table public.parted is partitioned and publication " + ReplicationSchema.publicationName(NODE)
                            + " publishes the changes of its partitions under their own names")
                    .hasMessageContaining("table public.renamed lacks the triggers [syncline_stamp] of this version")
                    .hasMessageContaining("at place (a composite type")
                    .hasMessageNotContaining("table " + TABLE);
        } finally {
            capture.close();
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE public.parted, public.renamed");
                new ReplicationSchemaInstaller(NODE).install(c, List.of(TABLE));
            }
        }
    }

    @Test
    @Order(0)
    void startRefusesARoleThatMayNotUseReplicationOriginsNamingTheGrant() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("""
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'no_origins') THEN
                            CREATE ROLE no_origins LOGIN REPLICATION PASSWORD 'no';
                        END IF;
                    END $$""");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public, syncline TO no_origins");
            s.execute("GRANT USAGE ON SCHEMA syncline TO no_origins");
        }
        CaptureConfig noOrigins = new CaptureConfig(NODE, postgres.host(), postgres.port(), postgres.database(), "no_origins", "no",
                List.of(TABLE), dataDir, Map.of("bootstrap.servers", kafka.bootstrapServers()));
        LocalCapture capture = new LocalCapture(noOrigins);
        org.assertj.core.api.Assertions.assertThatThrownBy(capture::start)
                .isInstanceOf(io.syncline.connector.CaptureSetupException.class)
                .hasMessageContaining("role no_origins may not mark the transactions it applies with a replication origin:"
                        + " GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), pg_replication_origin_oid(text),"
                        + " pg_replication_origin_session_setup(text), pg_replication_origin_session_reset(),"
                        + " pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_session_is_setup()"
                        + " TO no_origins (or use a superuser)");
        capture.close();
    }

    @Test
    @Order(1)
    void capturedTransactionsCarryExactPostgresTextAndSkipAppliedOnes() throws Exception {
        Map<Long, Map<String, String>> expected = new HashMap<>();
        Map<Long, Long> positionsByXid = new HashMap<>();
        long tx1;
        long tx2;
        long tx3;
        long tx5;
        RowClock tombstoneClock;
        try (LocalCapture capture = new LocalCapture(config()); Connection c = connect(); Statement s = c.createStatement()) {
            capture.start();
            assertThat(capture.awaitStreaming(Duration.ofSeconds(60))).isTrue();
            // Position evidence: a second slot whose SQL interface reports each COMMIT's LSN.
            s.execute("SELECT pg_create_logical_replication_slot('evidence', 'test_decoding')");
            c.setAutoCommit(false);
            // 1: a multi-row transaction; row 2 gets a large, TOASTed, incompressible text.
            s.execute("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES " + String.format(ROW_VALUES, 1, "NULL") + ", "
                    + String.format(ROW_VALUES, 2, "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)") + ", "
                    + String.format(ROW_VALUES, 3, "'small'"));
            s.execute("UPDATE " + TABLE + " SET c_real = 'Infinity', c_double = -0.0, c_num_free = 'Infinity', c_ts = 'infinity',"
                    + " c_tstz = '-infinity', c_date = '10000-01-01', c_interval = '0', c_text = NULL WHERE id = 3");
            for (long id = 1; id <= 3; id++) {
                expected.put(id, rowAsText(c, id));
            }
            tx1 = commitAndXid(c);
            // 2: an update that leaves the TOASTed column alone.
            s.execute("UPDATE " + TABLE + " SET c_text = 'changed' WHERE id = 2");
            Map<String, String> updated = rowAsText(c, 2);
            tx2 = commitAndXid(c);
            // 3: a delete: replicated as the tombstone's version.
            s.execute("DELETE FROM " + TABLE + " WHERE id = 3");
            tx3 = commitAndXid(c);
            try (ResultSet rs = s.executeQuery("SELECT hlc, node_id FROM syncline.tombstone WHERE table_name = '" + TABLE + "'")) {
                rs.next();
                tombstoneClock = new RowClock(rs.getLong(1), rs.getString(2));
            }
            c.commit();
            // 4: written the way the applier writes: in a session with a replication origin. Not published.
            s.execute("SELECT pg_replication_origin_create('" + ReplicationSchema.replicationOriginName("dc-b") + "')");
            c.commit();
            s.execute("SELECT pg_replication_origin_session_setup('" + ReplicationSchema.replicationOriginName("dc-b") + "')");
            s.execute("INSERT INTO " + TABLE + " (id, c_text, syncline_hlc, syncline_node, syncline_vv)"
                    + " VALUES (4, 'from dc-b', 1, 'dc-b', '{\"dc-b\": 1}')");
            c.commit();
            s.execute("SELECT pg_replication_origin_session_reset()");
            c.commit();
            // 5: a local transaction after it still flows.
            s.execute("INSERT INTO " + TABLE + " (id, c_text) VALUES (5, 'five')");
            tx5 = commitAndXid(c);
            // 6: a primary-key change: the old key's tombstone as a delete, then the insert of the new key naming the old one.
            s.execute("UPDATE " + TABLE + " SET id = 6 WHERE id = 5");
            long tx6 = commitAndXid(c);
            c.setAutoCommit(true);

            await().atMost(Duration.ofSeconds(60)).until(() -> readOutbox().stream().anyMatch(tx -> tx.originTxId() == tx6));
            SourceTransaction keyChange = readOutbox().stream().filter(tx -> tx.originTxId() == tx6).findFirst().orElseThrow();
            assertThat(keyChange.changes()).extracting(RowChange::operation).containsExactly(Operation.DELETE, Operation.INSERT);
            assertThat(keyChange.changes().get(0).key()).isEqualTo(Map.of("id", "5"));
            assertThat(keyChange.changes().get(1).key()).isEqualTo(Map.of("id", "6"));
            assertThat(keyChange.changes().get(1).oldKey()).isEqualTo(Map.of("id", "5"));
            assertThat(keyChange.changes().get(1).values()).containsEntry("c_text", "five");
            // PostgreSQL 16+ leaves it out of the stream (pgoutput origin=none); older servers send it and the capture drops it.
            assertThat(capture.appliedTransactionsSkipped()).isEqualTo(capture.serverFiltersAppliedTransactions() ? 0 : 1);

            try (ResultSet rs = s.executeQuery("SELECT xid::text::bigint, lsn - '0/0'::pg_lsn FROM pg_logical_slot_peek_changes('evidence', NULL, NULL)"
                    + " WHERE data LIKE 'COMMIT%'")) {
                while (rs.next()) {
                    positionsByXid.put(rs.getLong(1), rs.getLong(2));
                }
            }
            s.execute("SELECT pg_drop_replication_slot('evidence')");

            List<SourceTransaction> published = readOutbox();
            assertThat(published).extracting(SourceTransaction::originTxId).containsExactly(tx1, tx2, tx3, tx5, tx6);
            for (int i = 1; i < published.size(); i++) {
                assertThat(published.get(i).originPosition()).isGreaterThan(published.get(i - 1).originPosition());
            }
            for (SourceTransaction tx : published) {
                assertThat(tx.originPosition()).as("commit end LSN of xid %d", tx.originTxId()).isEqualTo(positionsByXid.get(tx.originTxId()));
                assertThat(tx.path()).containsExactly(NODE);
                assertThat(tx.changes()).noneMatch(ch -> ch.key().get("id").equals("4"));
            }
            assertThat(outbox.get(0).headers().lastHeader(EventHeaders.ORIGIN).value()).isEqualTo(NODE.getBytes());
            assertThat(EventHeaders.decodeLong(EventHeaders.POSITION, outbox.get(0).headers().lastHeader(EventHeaders.POSITION).value()))
                    .isEqualTo(published.get(0).originPosition());

            SourceTransaction first = published.get(0);
            assertThat(first.changes()).hasSize(4); // 3 inserts + the update of row 3
            for (RowChange change : first.changes()) {
                if (change.operation() == Operation.INSERT && !change.key().get("id").equals("3")) {
                    assertThat(change.values()).isEqualTo(expected.get(Long.parseLong(change.key().get("id"))));
                }
            }
            RowChange update3 = first.changes().get(3);
            assertThat(update3.operation()).isEqualTo(Operation.UPDATE);
            assertThat(update3.values()).isEqualTo(expected.get(3L));
            assertThat(update3.version().clock().nodeId()).isEqualTo(NODE);

            RowChange update2 = published.get(1).changes().get(0);
            assertThat(update2.operation()).isEqualTo(Operation.UPDATE);
            assertThat(update2.unchangedColumns()).containsExactly("c_large");
            Map<String, String> expectedUpdate = new LinkedHashMap<>(updated);
            expectedUpdate.remove("c_large");
            assertThat(update2.values()).isEqualTo(expectedUpdate);

            assertThat(published.get(2).changes()).hasSize(1);
            RowChange delete = published.get(2).changes().get(0);
            assertThat(delete.operation()).isEqualTo(Operation.DELETE);
            assertThat(delete.table()).isEqualTo(TABLE);
            assertThat(delete.key()).containsExactly(Map.entry("id", "3"));
            assertThat(delete.version().clock()).isEqualTo(tombstoneClock);
        }
    }

    @Test
    @Order(2)
    void killedCaptureResumesWithoutSkippingATransaction() throws Exception {
        readOutbox();
        int before = outbox.size();
        ProcessBuilder childCommand = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The child runs in the same (unusual) time zone as this JVM, as Failsafe sets it.
                "-Xmx256m", "-Duser.timezone=" + TimeZone.getDefault().getID(), "-cp", System.getProperty("java.class.path"),
                CaptureMain.class.getName(),
                NODE, postgres.host(), Integer.toString(postgres.port()), postgres.database(), postgres.user(), TABLE,
                dataDir.toString(), kafka.bootstrapServers())
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("child.log").toFile());
        childCommand.environment().put(CaptureMain.PASSWORD_ENV, postgres.password());
        Process child = childCommand.start();
        List<Long> committed = new ArrayList<>();
        Thread killer = null;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            int transactions = 1000;
            for (int i = 0; i < transactions; i++) {
                s.execute("INSERT INTO " + TABLE + " (id, c_text) SELECT 1000 + " + i + " * 10 + g, 'k' FROM generate_series(0, 2) g");
                committed.add(commitAndXid(c));
                if (i == 100) {
                    // Kill the capture mid-stream, while transactions keep coming: no close, no offset flush.
                    await().atMost(Duration.ofSeconds(60)).until(() -> readOutbox().size() > before + 20);
                    killer = new Thread(() -> {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        child.destroyForcibly();
                    });
                    killer.start();
                }
            }
            killer.join();
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
        readOutbox();
        int seenAtKill = outbox.size() - before;
        try (LocalCapture capture = new LocalCapture(config())) {
            capture.start();
            long last = committed.get(committed.size() - 1);
            await().atMost(Duration.ofSeconds(120)).until(() -> readOutbox().stream().anyMatch(tx -> tx.originTxId() == last));
        }
        List<SourceTransaction> all = readOutbox().subList(before, outbox.size());
        Set<Long> seen = new HashSet<>();
        int duplicates = 0;
        long newest = -1;
        for (SourceTransaction tx : all) {
            if (!seen.add(tx.originTxId())) {
                duplicates++;
                assertThat(tx.originPosition()).isLessThanOrEqualTo(newest);
                continue;
            }
            assertThat(tx.originPosition()).as("first publication of each transaction in commit order").isGreaterThan(newest);
            newest = tx.originPosition();
            assertThat(tx.changes()).hasSize(3);
        }
        System.out.printf("capture kill test: %d transactions committed, %d published before the kill, %d published in all, %d duplicates%n",
                committed.size(), seenAtKill, all.size(), duplicates);
        assertThat(seen).containsAll(committed);
    }

    @Test
    @Order(3)
    void catchesUpOnABacklog() throws Exception {
        readOutbox();
        int before = outbox.size();
        int transactions = 200;
        int rowsPerTransaction = 100;
        long lastXid = 0;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (int i = 0; i < transactions; i++) {
                s.execute("INSERT INTO " + TABLE + " (id, c_int, c_text, c_tstz, c_num) SELECT 100000 + " + i * rowsPerTransaction
                        + " + g, g, 'row ' || g, now(), g * 1.5 FROM generate_series(0, " + (rowsPerTransaction - 1) + ") g");
                lastXid = commitAndXid(c);
            }
        }
        long target = lastXid;
        long start = System.nanoTime();
        try (LocalCapture capture = new LocalCapture(config())) {
            capture.start();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                    .until(() -> readOutbox().stream().skip(before).anyMatch(tx -> tx.originTxId() == target));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int rows = transactions * rowsPerTransaction;
        System.out.printf("capture backlog: %d rows in %d transactions published in %.2f s (%.0f rows/s, including engine start)%n",
                rows, transactions, seconds, rows / seconds);
        assertThat(OutboxPublisher.MAX_TRANSACTION_BYTES).isEqualTo(32 * 1024 * 1024);
    }
}
