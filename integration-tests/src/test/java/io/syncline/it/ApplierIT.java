package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.ApplyException;
import io.syncline.apply.ApplyListener;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.RetriableApplyException;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.LastWriteWinsStrategy;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.conflict.ResolvedConflict;
import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.OnError;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.spi.ConflictType;
import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The applier against real PostgreSQL from {@link TestEnvironments}: three datacenters (dc-a on
 * one server, dc-b and dc-c in two databases of another), each installed by
 * {@link ReplicationSchemaInstaller}. Source transactions are built from real local writes (the
 * rows' text values and the version the triggers stamped, or the tombstone a delete left), the
 * way the capture sees them, and applied cross-wise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplierIT {

    private static final List<String> TABLES = List.of("public.item", "public.account", "public.slot");
    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS item (
                id   int PRIMARY KEY,
                n    numeric(20,5),
                t    text,
                b    bytea,
                flag boolean,
                u    uuid,
                j    jsonb,
                ts   timestamptz,
                tsl  timestamp,
                d    date,
                ia   int[],
                ta   text[],
                big  text DEFAULT 'default-big'
            );
            CREATE TABLE IF NOT EXISTS account (
                id      int PRIMARY KEY,
                balance int NOT NULL CHECK (balance >= 0),
                note    text
            );
            CREATE TABLE IF NOT EXISTS slot (
                id   int PRIMARY KEY,
                code text NOT NULL UNIQUE
            );
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Environment environment;
    private PostgresServer serverA;
    private PostgresServer serverB;
    private Node a;
    private Node b;
    private Node c;

    @BeforeAll
    void startServers() throws SQLException {
        environment = TestEnvironments.create();
        serverA = environment.startPostgres("dc-a");
        serverB = environment.startPostgres("dc-b");
        // dc-c shares dc-b's server, in a database of its own.
        try (Connection admin = connect(serverB); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE dc_c");
        }
        a = new Node("dc-a", serverA.jdbcUrl(), serverA);
        b = new Node("dc-b", serverB.jdbcUrl(), serverB);
        c = new Node("dc-c", jdbcUrl(serverB, "dc_c"), serverB);
    }

    @AfterAll
    void stopServers() {
        Exception failure = null;
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, c, environment}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // Keep closing the others, then report.
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw new IllegalStateException("Cannot close the servers of ApplierIT", failure);
        }
    }

    @BeforeEach
    void cleanState() throws SQLException {
        for (Node node : List.of(a, b, c)) {
            node.reset();
        }
    }

    /** Every apply session gave its replication origin back: this session can take each of them. */
    @AfterEach
    void originsAreReleased() throws SQLException {
        for (Node node : List.of(a, b, c)) {
            for (List<String> origin : node.rows("SELECT roname FROM pg_replication_origin")) {
                node.queryOne("SELECT pg_replication_origin_session_setup('" + origin.get(0) + "')::text");
                node.queryOne("SELECT pg_replication_origin_session_reset()::text");
            }
        }
    }

    /**
     * Applies {@code fromA} at dc-b while a local transaction holds an uncommitted insert of the same
     * key: the applier's insert waits on it, then the local insert commits first.
     */
    private ApplyResult applyWhileALocalInsertCommitsFirst(SourceTransaction fromA, String localInsert) throws Exception {
        try (Connection local = connect(serverB)) {
            local.setAutoCommit(false);
            try (Statement statement = local.createStatement()) {
                statement.execute(localInsert);
            }
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<ApplyResult> applying = executor.submit(() -> b.applierFrom(a).apply(List.of(fromA), "dc-a", 1));
                await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(b.queryOne(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"public\".\"account\"%'")));
                local.commit();
                return applying.get(10, TimeUnit.SECONDS);
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void aLocalInsertThatWinsTheRaceIsReadAgainAndResolved() throws Exception {
        SourceTransaction fromA = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a')"), change("public.account", Operation.INSERT, 1));
        b.setClockOffset(1_000);

        ApplyResult result = applyWhileALocalInsertCommitsFirst(fromA, "INSERT INTO account VALUES (1, 2, 'local')");

        assertThat(result.conflicts()).isEqualTo(Map.of(ConflictType.INSERT_INSERT, 1));
        SourceTransaction fromB = b.captured(List.of(change("public.account", Operation.INSERT, 1)));
        a.applierFrom(b).apply(List.of(fromB), "dc-b", 1);
        assertThat(b.queryOne("SELECT note FROM account")).isEqualTo("local");
        assertThat(a.dump("account")).isEqualTo(b.dump("account"));
    }

    @Test
    void rowsOfATableWithAnotherUniqueConstraintAreWrittenInChangeOrder() throws Exception {
        SourceTransaction seed = a.write(List.of("INSERT INTO slot VALUES (1, 'a'), (2, 'b'), (3, 'c')"),
                change("public.slot", Operation.INSERT, 1), change("public.slot", Operation.INSERT, 2),
                change("public.slot", Operation.INSERT, 3));
        // Each update frees the code the next one takes: correct only in this order.
        SourceTransaction rotate = a.write(List.of("UPDATE slot SET code = 'x' WHERE id = 3", "UPDATE slot SET code = 'c' WHERE id = 2",
                        "UPDATE slot SET code = 'b' WHERE id = 1"),
                change("public.slot", Operation.UPDATE, 3), change("public.slot", Operation.UPDATE, 2),
                change("public.slot", Operation.UPDATE, 1));

        ApplyResult result = b.applierFrom(a).apply(List.of(seed, rotate), "dc-a", 2);

        assertThat(result.appliedTransactions()).isEqualTo(2);
        assertThat(b.dump("slot")).isEqualTo(a.dump("slot")).hasSize(3);
    }

    @Test
    void aRunWithARepeatedKeyAppliesEveryChangeInOrder() throws Exception {
        SourceTransaction inserts = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c')",
                        "UPDATE account SET note = 'b2' WHERE id = 2", "INSERT INTO account VALUES (4, 4, 'd')"),
                change("public.account", Operation.INSERT, 1), change("public.account", Operation.INSERT, 2),
                change("public.account", Operation.INSERT, 3), change("public.account", Operation.UPDATE, 2),
                change("public.account", Operation.INSERT, 4));
        SourceTransaction mixed = a.write(List.of("UPDATE account SET balance = 10 WHERE id = 1", "DELETE FROM account WHERE id = 3",
                        "UPDATE account SET balance = 40 WHERE id = 4", "INSERT INTO account VALUES (5, 5, 'e')"),
                change("public.account", Operation.UPDATE, 1), change("public.account", Operation.DELETE, 3),
                change("public.account", Operation.UPDATE, 4), change("public.account", Operation.INSERT, 5));

        ApplyResult result = b.applierFrom(a).apply(List.of(inserts, mixed), "dc-a", 2);

        assertThat(result.appliedTransactions()).isEqualTo(2);
        assertThat(result.conflicts()).isEmpty();
        assertThat(b.dump("account")).isEqualTo(a.dump("account")).hasSize(4);
        assertThat(b.tombstones()).isEqualTo(a.tombstones()).hasSize(1);
        assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEqualTo(OptionalLong.of(mixed.originPosition()));
    }

    @Test
    void smallTransactionsOfOneTargetTransactionShareRunsAndStayExactlyOnce() throws Exception {
        List<SourceTransaction> batch = new ArrayList<>();
        for (int id = 1; id <= 5; id++) {
            batch.add(a.write(List.of("INSERT INTO account VALUES (" + id + ", " + id + ", 'x')"),
                    change("public.account", Operation.INSERT, id)));
        }
        batch.add(a.write(List.of("UPDATE account SET note = 'y' WHERE id = 2"), change("public.account", Operation.UPDATE, 2)));
        batch.add(a.write(List.of("DELETE FROM account WHERE id = 4"), change("public.account", Operation.DELETE, 4)));
        batch.add(a.write(List.of("INSERT INTO item (id, t) VALUES (1, 'i')"), change("public.item", Operation.INSERT, 1)));
        batch.add(a.write(List.of("UPDATE account SET balance = 9 WHERE id = 5"), change("public.account", Operation.UPDATE, 5)));

        ApplyResult result = b.applierFrom(a).apply(batch, "dc-a", batch.size());
        ApplyResult again = b.applierFrom(a).apply(batch, "dc-a", batch.size());

        assertThat(result.appliedTransactions()).isEqualTo(batch.size());
        assertThat(result.conflicts()).isEmpty();
        assertThat(again.duplicateTransactions()).isEqualTo(batch.size());
        assertThat(b.dump("account")).isEqualTo(a.dump("account")).hasSize(4);
        assertThat(b.dump("item")).isEqualTo(a.dump("item")).hasSize(1);
        assertThat(b.tombstones()).isEqualTo(a.tombstones()).hasSize(1);
        assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEqualTo(OptionalLong.of(batch.get(batch.size() - 1).originPosition()));
    }

    @Test
    void aLocalInsertThatWinsTheRaceInsideARunIsReadAgainAndResolved() throws Exception {
        SourceTransaction fromA = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a'), (2, 2, 'a'), (3, 3, 'a')"),
                change("public.account", Operation.INSERT, 1), change("public.account", Operation.INSERT, 2),
                change("public.account", Operation.INSERT, 3));
        b.setClockOffset(1_000);

        ApplyResult result = applyWhileALocalInsertCommitsFirst(fromA, "INSERT INTO account VALUES (2, 20, 'local')");

        assertThat(result.conflicts()).isEqualTo(Map.of(ConflictType.INSERT_INSERT, 1));
        assertThat(result.rowsWritten()).isEqualTo(3);
        assertThat(b.queryOne("SELECT string_agg(note, ',' ORDER BY id) FROM account")).isEqualTo("a,local,a");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"2\"} insert_insert lww local dc-a");
        SourceTransaction fromB = b.captured(List.of(change("public.account", Operation.INSERT, 2)));
        a.applierFrom(b).apply(List.of(fromB), "dc-b", 1);
        assertThat(a.dump("account")).isEqualTo(b.dump("account"));
    }

    /**
     * Two links apply at dc-b: dc-a's transaction writes item 1 then account 1, dc-c's account 1 then
     * item 1, while local transactions hold both rows. The locals let go one after the other so that,
     * were each change locked as it comes, dc-c's applier would hold account 1 and wait for item 1
     * while dc-a's held item 1 and waited for account 1: a deadlock, one of them failed after
     * deadlock_timeout. Both lock their keys in one order before writing, so both apply.
     */
    @Test
    void twoLinksWritingSharedRowsInOppositeOrdersNeverDeadlock() throws Exception {
        SourceTransaction rows = a.write(List.of("INSERT INTO item (id, t) VALUES (1, 'a')", "INSERT INTO account VALUES (1, 1, 'a')"),
                change("public.item", Operation.INSERT, 1), change("public.account", Operation.INSERT, 1));
        b.applierFrom(a).apply(List.of(rows), "dc-a", 1);
        c.applierFrom(a).apply(List.of(rows), "dc-a", 1);
        SourceTransaction fromA = a.write(List.of("UPDATE item SET t = 'a2' WHERE id = 1", "UPDATE account SET note = 'a2' WHERE id = 1"),
                change("public.item", Operation.UPDATE, 1), change("public.account", Operation.UPDATE, 1));
        SourceTransaction fromC = c.write(List.of("UPDATE account SET note = 'c2' WHERE id = 1", "UPDATE item SET t = 'c2' WHERE id = 1"),
                change("public.account", Operation.UPDATE, 1), change("public.item", Operation.UPDATE, 1));

        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (Connection holdsAccount = connect(serverB); Connection holdsItem = connect(serverB)) {
            int accountHolder = lockRow(holdsAccount, "account");
            lockRow(holdsItem, "item");
            Future<ApplyResult> linkFromA = executor.submit(() -> b.applierFrom(a).apply(List.of(fromA), "dc-a", 2));
            awaitLockWaiters(1, -1);
            Future<ApplyResult> linkFromC = executor.submit(() -> b.applierFrom(c).apply(List.of(fromC), "dc-c", 1));
            awaitLockWaiters(2, -1);
            holdsAccount.commit();
            awaitLockWaiters(2, accountHolder);
            holdsItem.commit();

            assertThat(linkFromA.get(30, TimeUnit.SECONDS).appliedTransactions()).isEqualTo(1);
            assertThat(linkFromC.get(30, TimeUnit.SECONDS).appliedTransactions()).isEqualTo(1);
        } finally {
            executor.shutdownNow();
        }
        a.applierFrom(c).apply(List.of(fromC), "dc-c", 1);
        c.applierFrom(a).apply(List.of(fromA), "dc-a", 2);
        for (String table : List.of("item", "account")) {
            assertThat(b.dump(table)).isEqualTo(a.dump(table)).isEqualTo(c.dump(table)).hasSize(1);
        }
    }

    /**
     * An applier and an application transaction lock each other's rows, the application waiting
     * first: the applier holds account 1 and waits for item 1, the application holds item 1 and
     * then waits for account 1. With equal deadlock timeouts the application, waiting longest,
     * would be the one aborted; the applier's shorter timeout makes it yield and apply again.
     */
    @Test
    void inADeadlockWithTheApplicationTheApplierYieldsAndAppliesAgain() throws Exception {
        SourceTransaction rows = a.write(List.of("INSERT INTO item (id, t) VALUES (1, 'a')",
                        "INSERT INTO account VALUES (1, 1, 'a'), (2, 2, 'a')"),
                change("public.item", Operation.INSERT, 1), change("public.account", Operation.INSERT, 1),
                change("public.account", Operation.INSERT, 2));
        SourceTransaction deleteTwo = a.write(List.of("DELETE FROM account WHERE id = 2"), change("public.account", Operation.DELETE, 2));
        b.applierFrom(a).apply(List.of(rows, deleteTwo), "dc-a", 2);
        SourceTransaction fromA = a.write(List.of("UPDATE item SET t = 'a2' WHERE id = 1", "UPDATE account SET note = 'a2' WHERE id = 1",
                        "INSERT INTO account VALUES (2, 2, 'a2')"),
                change("public.item", Operation.UPDATE, 1), change("public.account", Operation.UPDATE, 1),
                change("public.account", Operation.INSERT, 2));

        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (Connection holdsTombstone = connect(serverB); Connection application = connect(serverB)) {
            holdsTombstone.setAutoCommit(false);
            try (Statement statement = holdsTombstone.createStatement()) {
                statement.execute("SELECT 1 FROM syncline.tombstone WHERE table_name = 'public.account'"
                        + " AND pk = jsonb_build_object('id', '2') FOR UPDATE");
            }
            application.setAutoCommit(false);
            try (Statement statement = application.createStatement()) {
                statement.execute("UPDATE item SET t = 'local' WHERE id = 1");
            }
            // The applier locks account 1, then waits for the tombstone of account 2.
            Future<ApplyResult> applying = executor.submit(() -> b.applierFrom(a).apply(List.of(fromA), "dc-a", 3));
            awaitLockWaiters(1, -1);
            Future<Integer> applicationUpdate = executor.submit(() -> {
                try (Statement statement = application.createStatement()) {
                    return statement.executeUpdate("UPDATE account SET note = 'local' WHERE id = 1");
                }
            });
            awaitLockWaiters(2, -1);
            holdsTombstone.commit();

            assertThatThrownBy(() -> applying.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RetriableApplyException.class)
                    .hasMessageContaining("40P01");
            assertThat(applicationUpdate.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            application.commit();
        } finally {
            executor.shutdownNow();
        }
        assertThat(b.applierFrom(a).apply(List.of(fromA), "dc-a", 3).appliedTransactions()).isEqualTo(1);
        assertThat(b.queryOne("SELECT count(*) FROM account")).isEqualTo("2");
    }

    /** Locks row 1 of {@code table} in an open transaction of {@code connection}; returns the session's pid. */
    private static int lockRow(Connection connection, String table) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT pg_backend_pid() FROM " + table + " WHERE id = 1 FOR UPDATE")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    /** Waits until {@code count} sessions of dc-b wait for a lock, none of them for session {@code notBlockedBy}. */
    private void awaitLockWaiters(int count, int notBlockedBy) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.toString(count).equals(b.queryOne(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        + " AND NOT " + notBlockedBy + " = ANY(pg_blocking_pids(pid))")));
    }

    @Test
    void initRefusesARoleThatMayNotAskForTheSessionsReplicationOrigin() throws Exception {
        a.createLoginRole("plain_installer", "installer");
        try (Connection installer = DriverManager.getConnection(serverA.jdbcUrl(), "plain_installer", "installer")) {
            assertThatThrownBy(() -> new ReplicationSchemaInstaller("dc-a").install(installer, TABLES))
                    .hasMessage("role plain_installer may not call pg_replication_origin_session_is_setup(), which the row"
                            + " triggers call in every writer's session: GRANT EXECUTE ON FUNCTION"
                            + " pg_replication_origin_session_is_setup() TO plain_installer (or run syncline init as a superuser)");
        }
    }

    /** The row triggers run as their owner: a role with rights on its own tables only writes them, versions and all. */
    @Test
    void anApplicationRoleWithRightsOnItsTableOnlyWritesAReplicatedTable() throws Exception {
        a.createLoginRole("app_writer", "writer");
        a.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON account TO app_writer");
        a.exec("INSERT INTO account VALUES (2, 2, 'to delete')");

        try (Connection writer = DriverManager.getConnection(serverA.jdbcUrl(), "app_writer", "writer");
                Statement statement = writer.createStatement()) {
            statement.execute("INSERT INTO account VALUES (1, 1, 'app')");
            statement.execute("UPDATE account SET balance = 5 WHERE id = 1");
            statement.execute("DELETE FROM account WHERE id = 2");
            statement.execute("UPDATE account SET id = 3 WHERE id = 1");
        }

        assertThat(a.queryOne("SELECT syncline_node || ' ' || (syncline_vv ->> 'dc-a') FROM account")).isEqualTo("dc-a 1");
        assertThat(a.tombstones()).extracting(row -> row.get(1) + " " + row.get(3) + " " + row.get(4))
                .containsExactly("{\"id\": \"1\"} dc-a {\"dc-a\": 3}", "{\"id\": \"2\"} dc-a {\"dc-a\": 2}");
    }

    /**
     * An Error in one writer (here the listener running out of memory after its target transaction
     * committed) ends the batch, and the writers after it end too: they do not wait for its commit
     * forever, holding their connections and the rows they wrote ahead of their turn.
     */
    @Test
    void anErrorInOneWriterEndsTheOtherWritersOfItsBatch() throws Exception {
        List<SourceTransaction> batch = new ArrayList<>();
        for (int id = 1; id <= 400; id++) {
            batch.add(a.write(List.of("INSERT INTO account VALUES (" + id + ", 1, 'x')"), change("public.account", Operation.INSERT, id)));
        }
        ApplyListener failing = new ApplyListener() {
            @Override
            public void targetTransactionCommitted(ApplyResult result) {
                throw new OutOfMemoryError("the listener ran out of memory");
            }
        };
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(serverB.jdbcUrl());
        config.setUsername(serverB.user());
        config.setPassword(serverB.password());
        config.setMaximumPoolSize(5);
        ExecutorService link = Executors.newSingleThreadExecutor();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            TransactionApplier applier = new TransactionApplier("dc-b", pool, ConflictPolicies.uniform(LastWriteWinsStrategy.INSTANCE),
                    OnErrorPolicies.uniform(OnError.STOP), failing, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION, null, 4);

            Future<ApplyResult> applying = link.submit(() -> applier.apply(batch, "dc-a", batch.size()));

            assertThatThrownBy(() -> applying.get(30, TimeUnit.SECONDS)).as("the batch ends")
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("the listener ran out of memory");
            await("the other writers roll back and give their connections back").atMost(Duration.ofSeconds(10))
                    .until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
        } finally {
            link.shutdownNow();
        }
    }

    @Test
    void theApplierJoinsKeysToRowsByIndexAndResetsItsSessionBeforeGivingItBack() throws Exception {
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a')"), change("public.account", Operation.INSERT, 1));
        // A user's trigger sees the applier's session as it writes.
        b.exec("""
                CREATE TABLE apply_session_seen (hashjoin text, mergejoin text);
                CREATE FUNCTION record_apply_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    INSERT INTO apply_session_seen VALUES (current_setting('enable_hashjoin'), current_setting('enable_mergejoin'));
                    RETURN NULL;
                END $$;
                CREATE TRIGGER record_apply_session AFTER INSERT ON account FOR EACH ROW EXECUTE FUNCTION record_apply_session()""");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(serverB.jdbcUrl());
        config.setUsername(serverB.user());
        config.setPassword(serverB.password());
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            new TransactionApplier("dc-b", pool).apply(List.of(insert), "dc-a", 1);

            assertThat(b.rows("SELECT hashjoin, mergejoin FROM apply_session_seen")).containsExactly(List.of("off", "off"));
            try (Connection pooled = pool.getConnection(); Statement statement = pooled.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'),"
                            + " pg_replication_origin_session_is_setup()")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3))).containsExactly("on", "on", "f");
            }
        } finally {
            b.exec("DROP TRIGGER record_apply_session ON account; DROP FUNCTION record_apply_session(); DROP TABLE apply_session_seen");
        }
    }

    @Test
    void anApplierWhoseRoleCannotLowerTheDeadlockTimeoutStillApplies() throws Exception {
        b.createLoginRole("plain_applier", "plain");
        b.exec("""
                GRANT USAGE ON SCHEMA syncline TO plain_applier;
                GRANT ALL ON ALL TABLES IN SCHEMA syncline, public TO plain_applier;
                GRANT ALL ON ALL SEQUENCES IN SCHEMA syncline, public TO plain_applier;
                GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), pg_replication_origin_oid(text),
                    pg_replication_origin_session_setup(text), pg_replication_origin_session_reset(),
                    pg_replication_origin_xact_setup(pg_lsn, timestamptz) TO plain_applier""");
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a')"), change("public.account", Operation.INSERT, 1));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(serverB.jdbcUrl());
        config.setUsername("plain_applier");
        config.setPassword("plain");
        config.setMaximumPoolSize(1);
        try (HikariDataSource plain = new HikariDataSource(config)) {
            assertThat(new TransactionApplier("dc-b", plain).apply(List.of(insert), "dc-a", 1).appliedTransactions()).isEqualTo(1);
            try (Connection connection = plain.getConnection(); Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SHOW deadlock_timeout")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("1s");
            }
        }
        assertThat(b.dump("account")).isEqualTo(a.dump("account"));
    }

    @Test
    void aLockTimeoutIsRetriableAndTheRetryApplies() throws Exception {
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a')"), change("public.account", Operation.INSERT, 1));
        b.applierFrom(a).apply(List.of(insert), "dc-a", 1);
        SourceTransaction update = a.write(List.of("UPDATE account SET balance = 3 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(serverB.jdbcUrl());
        config.setUsername(serverB.user());
        config.setPassword(serverB.password());
        config.setConnectionInitSql("SET lock_timeout = '300ms'");
        try (HikariDataSource impatient = new HikariDataSource(config);
                Connection local = connect(serverB)) {
            TransactionApplier applier = new TransactionApplier("dc-b", impatient);
            local.setAutoCommit(false);
            try (Statement statement = local.createStatement()) {
                statement.execute("SELECT * FROM account WHERE id = 1 FOR UPDATE");
            }

            assertThatThrownBy(() -> applier.apply(List.of(update), "dc-a", 2))
                    .isInstanceOf(RetriableApplyException.class)
                    .hasMessageContaining("55P03");
            assertThat(applier.appliedPosition("dc-a")).isEqualTo(OptionalLong.of(insert.originPosition()));

            local.rollback();
            assertThat(applier.apply(List.of(update), "dc-a", 2).appliedTransactions()).isEqualTo(1);
        }
        assertThat(b.dump("account")).isEqualTo(a.dump("account"));
    }

    @Test
    void aDeleteOfAnUnknownRowLeavesATombstoneThatRejectsALateOlderInsert() throws Exception {
        RowVersion deleted = new RowVersion(new RowClock(2_000L << 16, "dc-a"), VersionVector.of(Map.of("dc-a", 2L)));
        RowVersion inserted = new RowVersion(new RowClock(1_000L << 16, "dc-c"), VersionVector.of(Map.of("dc-c", 1L)));
        SourceTransaction delete = new SourceTransaction("dc-a", 700, 0, 1, List.of("dc-a"), List.of(
                new RowChange("public.account", Operation.DELETE, Map.of("id", "5"), null, null, null, deleted)));
        SourceTransaction lateInsert = new SourceTransaction("dc-c", 300, 0, 1, List.of("dc-c", "dc-a"), List.of(
                new RowChange("public.account", Operation.INSERT, Map.of("id", "5"), null,
                        Map.of("id", "5", "balance", "1"), null, inserted)));

        b.applierFrom(a).apply(List.of(delete, lateInsert), "dc-a", 2);

        assertThat(b.dump("account")).isEmpty();
        assertThat(b.tombstones()).containsExactly(List.of("public.account", "{\"id\": \"5\"}", Long.toString(2_000L << 16), "dc-a",
                "{\"dc-a\": 2, \"dc-c\": 1}"));
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"5\"} delete_update lww local dc-c");
        assertThat(b.applierFrom(a).appliedPosition("dc-c")).isEqualTo(OptionalLong.of(300));
    }

    @Test
    void rowsOfManyTypesRoundTripExactly() throws Exception {
        SourceTransaction inserts = a.write(
                List.of("""
                        INSERT INTO item VALUES
                          (1, 123456789012345.12345, 'plain', '\\x00ff10'::bytea, true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                           '{"k": [1, 2.50, "x"], "nested": {"n": null}}', '2026-01-02 03:04:05.123456+05:30',
                           '1999-12-31 23:59:59.999999', '2000-02-29', ARRAY[1, NULL, -3],
                           ARRAY['a', NULL, 'with "quotes"', 'comma,brace}', '', 'NULL'], 'big value'),
                          (2, -0.00001, E'line\\nbreak ''quote'' \\\\ backslash ü', '\\x'::bytea, false, NULL, 'null', NULL, NULL,
                           NULL, '{}', '{}', NULL),
                          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
                        """),
                change("public.item", Operation.INSERT, 1), change("public.item", Operation.INSERT, 2),
                change("public.item", Operation.INSERT, 3));
        SourceTransaction updates = a.write(
                List.of("UPDATE item SET n = 0.5, ta = ARRAY['x'], ts = 'infinity', j = '[]' WHERE id = 1",
                        "UPDATE item SET t = 'now set', ia = ARRAY[[1,2],[3,4]] WHERE id = 3",
                        "DELETE FROM item WHERE id = 2"),
                change("public.item", Operation.UPDATE, 1), change("public.item", Operation.UPDATE, 3),
                change("public.item", Operation.DELETE, 2));

        ApplyResult result = b.applierFrom(a).apply(List.of(inserts, updates), "dc-a", 2);

        assertThat(result.appliedTransactions()).isEqualTo(2);
        assertThat(result.rowsWritten()).isEqualTo(6);
        assertThat(result.conflictCount()).isZero();
        assertThat(b.dump("item")).isEqualTo(a.dump("item")).hasSize(2);
        assertThat(b.tombstones()).isEqualTo(a.tombstones()).hasSize(1);
        assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEqualTo(OptionalLong.of(updates.originPosition()));
        assertThat(b.applierFrom(a).linkOffset("dc-a")).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void appliedTransactionCarriesTheReplicationOriginAndKeepsTheRemoteVersion() throws Exception {
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (1, 10, 'x')"), change("public.account", Operation.INSERT, 1));

        b.applierFrom(a).apply(List.of(insert), "dc-a", 1);

        String originId = b.queryOne("SELECT pg_replication_origin_oid('" + ReplicationSchema.replicationOriginName("dc-a") + "')");
        assertThat(b.queryOne("SELECT (pg_xact_commit_timestamp_origin(xmin)).roident FROM account WHERE id = 1")).isEqualTo(originId);
        assertThat(b.queryOne("SELECT syncline_node FROM account WHERE id = 1")).isEqualTo("dc-a");
        assertThat(b.dump("account")).isEqualTo(a.dump("account"));
        // A local write on dc-b is not marked, and the trigger stamps it.
        b.exec("UPDATE account SET balance = 11 WHERE id = 1");
        assertThat(b.queryOne("SELECT (pg_xact_commit_timestamp_origin(xmin)).roident FROM account WHERE id = 1")).isEqualTo("0");
        assertThat(b.queryOne("SELECT syncline_node || ' ' || syncline_vv::text FROM account WHERE id = 1"))
                .isEqualTo("dc-b {\"dc-a\": 1, \"dc-b\": 1}");
    }

    @Test
    void multiRowTransactionIsAllOrNothing() throws Exception {
        SourceTransaction good = a.write(List.of("INSERT INTO account VALUES (1, 10, 'first')"), change("public.account", Operation.INSERT, 1));
        SourceTransaction insert2 = a.write(List.of("INSERT INTO account VALUES (2, 5, 'second')", "INSERT INTO account VALUES (3, 5, 'third')"),
                change("public.account", Operation.INSERT, 2), change("public.account", Operation.INSERT, 3));
        // The same transaction, but its second row breaks a constraint that only dc-b has.
        b.exec("ALTER TABLE account ADD CONSTRAINT no_third CHECK (note <> 'third')");
        try {
            assertThatThrownBy(() -> b.applierFrom(a).apply(List.of(good, insert2), "dc-a", 7))
                    .isInstanceOfSatisfying(ApplyException.class, e -> {
                        assertThat(e.originNode()).isEqualTo("dc-a");
                        assertThat(e.originPosition()).isEqualTo(insert2.originPosition());
                        assertThat(e.table()).isEqualTo("public.account");
                        assertThat(e).hasMessageContaining("23514").hasMessageContaining("{id=3}");
                    });

            assertThat(b.dump("account")).isEmpty();
            assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEmpty();
            assertThat(b.applierFrom(a).linkOffset("dc-a")).isEmpty();
        } finally {
            b.exec("ALTER TABLE account DROP CONSTRAINT no_third");
        }
        // Once the cause is fixed, the same batch applies whole.
        assertThat(b.applierFrom(a).apply(List.of(good, insert2), "dc-a", 7).appliedTransactions()).isEqualTo(2);
        assertThat(b.dump("account")).isEqualTo(a.dump("account")).hasSize(3);
    }

    @Test
    void aRefusedTransactionIsParkedWholeWhileTheOthersOfItsTargetTransactionApply() throws Exception {
        SourceTransaction first = a.write(List.of("INSERT INTO account VALUES (1, 10, 'first')"), change("public.account", Operation.INSERT, 1));
        SourceTransaction refused = a.write(List.of("INSERT INTO account VALUES (2, 5, 'second')", "INSERT INTO account VALUES (3, 5, 'third')"),
                change("public.account", Operation.INSERT, 2), change("public.account", Operation.INSERT, 3));
        SourceTransaction last = a.write(List.of("INSERT INTO account VALUES (4, 5, 'fourth')"), change("public.account", Operation.INSERT, 4));
        TransactionApplier parking = new TransactionApplier("dc-b", b.pool, ConflictPolicies.uniform(LastWriteWinsStrategy.INSTANCE),
                OnErrorPolicies.uniform(OnError.PARK), ApplyListener.NONE, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
        b.exec("ALTER TABLE account ADD CONSTRAINT no_third CHECK (note <> 'third')");
        try {
            ApplyResult result = parking.apply(List.of(first, refused, last), "dc-a", 7);

            assertThat(result.appliedTransactions()).isEqualTo(2);
            assertThat(result.parkedChanges()).isEqualTo(1);
            assertThat(result.targetTransactions()).isEqualTo(1);
            assertThat(b.dump("account")).extracting(row -> row.get(0)).containsExactly("1", "4");
            assertThat(parking.appliedPosition("dc-a")).hasValue(last.originPosition());
            assertThat(parking.linkOffset("dc-a")).hasValue(7);
            assertThat(b.queryOne("SELECT kind || ' ' || origin_position || ' ' || sqlstate || ' ' || constraint_name || ' '"
                    + " || pk::text || ' ' || jsonb_array_length(change_json) FROM syncline.dead_letter"))
                    .isEqualTo("transaction " + refused.originPosition() + " 23514 no_third {\"id\": \"3\"} 2");
            // Applying the same batch again changes nothing: the parked transaction is behind the position too.
            assertThat(parking.apply(List.of(first, refused, last), "dc-a", 7).duplicateTransactions()).isEqualTo(3);
            assertThat(parking.parkedCount()).isEqualTo(1);

            assertThat(parking.retryParked(null).stillParked()).isEqualTo(1);
            b.exec("ALTER TABLE account DROP CONSTRAINT no_third");
            TransactionApplier.RetryResult retry = parking.retryParked(null);

            assertThat(retry.applied()).isEqualTo(1);
            assertThat(parking.parkedCount()).isZero();
            assertThat(b.dump("account")).isEqualTo(a.dump("account")).hasSize(4);
        } finally {
            b.exec("ALTER TABLE account DROP CONSTRAINT IF EXISTS no_third");
            b.exec("TRUNCATE syncline.dead_letter");
        }
    }

    @Test
    void aTableThatStopsFailsTheBatchAtTheRefusedTransactionWhileOtherTablesPark() throws Exception {
        SourceTransaction first = a.write(List.of("INSERT INTO account VALUES (1, 10, 'first')"), change("public.account", Operation.INSERT, 1));
        SourceTransaction refused = a.write(List.of("INSERT INTO account VALUES (3, 5, 'third')"), change("public.account", Operation.INSERT, 3));
        OnErrorPolicies onError = OnErrorPolicies.of(List.of(new TableConfig(new TableName("public", "account"),
                ConflictRule.of(ConflictPolicy.LWW), List.of(), new ConfigLocation(java.nio.file.Path.of("node.yaml"), 1, 1),
                OnError.STOP)));
        assertThat(onError.forTable("public.item")).isEqualTo(OnError.PARK);
        TransactionApplier stopping = new TransactionApplier("dc-b", b.pool, ConflictPolicies.uniform(LastWriteWinsStrategy.INSTANCE),
                onError, ApplyListener.NONE, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
        b.exec("ALTER TABLE account ADD CONSTRAINT no_third CHECK (note <> 'third')");
        try {
            assertThatThrownBy(() -> stopping.apply(List.of(first, refused), "dc-a", 3))
                    .isInstanceOfSatisfying(ApplyException.class, e -> {
                        assertThat(e.originNode()).isEqualTo("dc-a");
                        assertThat(e.originPosition()).isEqualTo(refused.originPosition());
                        assertThat(e.table()).isEqualTo("public.account");
                        assertThat(e).hasMessageContaining("23514").hasMessageContaining("{id=3}");
                    });
            assertThat(b.dump("account")).isEmpty();
            assertThat(stopping.parkedCount()).isZero();
            assertThat(stopping.appliedPosition("dc-a")).isEmpty();
        } finally {
            b.exec("ALTER TABLE account DROP CONSTRAINT no_third");
        }
    }

    @Test
    void aRowRefusedInsideARunFailsTheWholeTransactionAndIsNamed() throws Exception {
        SourceTransaction inserts = a.write(List.of("INSERT INTO account VALUES (2, 5, 'second'), (3, 5, 'third'), (4, 5, 'fourth')"),
                change("public.account", Operation.INSERT, 2), change("public.account", Operation.INSERT, 3),
                change("public.account", Operation.INSERT, 4));
        b.exec("ALTER TABLE account ADD CONSTRAINT no_third CHECK (note <> 'third')");
        try {
            assertThatThrownBy(() -> b.applierFrom(a).apply(List.of(inserts), "dc-a", 1))
                    .isInstanceOfSatisfying(ApplyException.class, e -> {
                        assertThat(e.originPosition()).isEqualTo(inserts.originPosition());
                        assertThat(e).hasMessageContaining("23514").hasMessageContaining("{id=3}");
                    });
            assertThat(b.dump("account")).isEmpty();
        } finally {
            b.exec("ALTER TABLE account DROP CONSTRAINT no_third");
        }
    }

    @Test
    void reapplyingTheSameBatchChangesNothing() throws Exception {
        SourceTransaction t1 = a.write(List.of("INSERT INTO account VALUES (1, 10, 'x')"), change("public.account", Operation.INSERT, 1));
        SourceTransaction t2 = a.write(List.of("UPDATE account SET balance = 20 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        SourceTransaction t3 = a.write(List.of("INSERT INTO account VALUES (2, 1, NULL)"), change("public.account", Operation.INSERT, 2));
        List<SourceTransaction> batch = List.of(t1, t2, t3);
        b.applierFrom(a).apply(batch, "dc-a", 3);
        List<List<String>> before = b.dump("account");
        String xmins = b.queryOne("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM account");

        ApplyResult again = b.applierFrom(a).apply(batch, "dc-a", 3);
        ApplyResult overlapping = b.applierFrom(a).apply(List.of(t2, t3), "dc-a", 3);

        assertThat(again.duplicateTransactions()).isEqualTo(3);
        assertThat(again.appliedTransactions()).isZero();
        assertThat(again.rowsWritten()).isZero();
        assertThat(overlapping.duplicateTransactions()).isEqualTo(2);
        assertThat(b.dump("account")).isEqualTo(before).isEqualTo(a.dump("account"));
        assertThat(b.queryOne("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM account")).isEqualTo(xmins);
        assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEqualTo(OptionalLong.of(t3.originPosition()));
    }

    @Test
    void targetTransactionsAreBoundedByRowsAndTheOffsetMovesWithTheLast() throws Exception {
        List<SourceTransaction> batch = new ArrayList<>();
        for (int id = 1; id <= 5; id++) {
            batch.add(a.write(List.of("INSERT INTO account VALUES (" + id + ", 1, NULL)"), change("public.account", Operation.INSERT, id)));
        }
        TransactionApplier small = new TransactionApplier("dc-b", b.pool, LastWriteWinsStrategy.INSTANCE, ApplyListener.NONE, 2);

        ApplyResult result = small.apply(batch, "dc-a", 99);

        assertThat(result.targetTransactions()).isEqualTo(3);
        assertThat(result.appliedTransactions()).isEqualTo(5);
        assertThat(b.dump("account")).isEqualTo(a.dump("account"));
        assertThat(small.linkOffset("dc-a")).isEqualTo(OptionalLong.of(99));
    }

    @Test
    void transactionsOfTheLocalNodeAreNeverApplied() throws Exception {
        SourceTransaction own = b.write(List.of("INSERT INTO account VALUES (1, 1, NULL)"), change("public.account", Operation.INSERT, 1));
        b.exec("DELETE FROM account");
        b.exec("TRUNCATE syncline.tombstone");

        ApplyResult result = b.applierFrom(a).apply(List.of(own), "dc-a", 1);

        assertThat(result.echoTransactions()).isEqualTo(1);
        assertThat(result.appliedTransactions()).isZero();
        assertThat(b.dump("account")).isEmpty();
    }

    @Test
    void concurrentUpdatesConvergeToTheHighestClock() throws Exception {
        replicateInsert(1, 100);
        SourceTransaction onA = a.write(List.of("UPDATE account SET balance = 111, note = 'from a' WHERE id = 1"),
                change("public.account", Operation.UPDATE, 1));
        b.setClockOffset(1_000); // dc-b's write is the later one by the clock
        SourceTransaction onB = b.write(List.of("UPDATE account SET balance = 222, note = 'from b' WHERE id = 1"),
                change("public.account", Operation.UPDATE, 1));

        ApplyResult atB = b.applierFrom(a).apply(List.of(onA), "dc-a", 2);
        ApplyResult atA = a.applierFrom(b).apply(List.of(onB), "dc-b", 1);

        assertThat(a.dump("account")).isEqualTo(b.dump("account"));
        assertThat(a.queryOne("SELECT balance || ' ' || note || ' ' || syncline_node || ' ' || syncline_vv::text FROM account"))
                .isEqualTo("222 from b dc-b {\"dc-a\": 2, \"dc-b\": 1}");
        assertThat(atA.conflicts()).isEqualTo(Map.of(ConflictType.UPDATE_UPDATE, 1));
        assertThat(atB.conflicts()).isEqualTo(Map.of(ConflictType.UPDATE_UPDATE, 1));
        assertThat(a.conflictLog()).containsExactly("public.account {\"id\": \"1\"} update_update lww remote dc-b");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"1\"} update_update lww local dc-a");
        for (Node node : List.of(a, b)) {
            // what each side had, and what the conflict left: the same row and version at both
            assertThat(node.queryOne("SELECT (local_row ->> 'balance') || ' ' || (remote_row ->> 'balance') || ' '"
                    + " || (resolved_row ->> 'balance') || ' ' || (resolved_row ->> 'note') || ' ' || (resolved_version ->> 'node')"
                    + " || ' ' || (resolved_version -> 'vv')::text || ' ' || coalesce(error, 'no error') FROM syncline.conflict_log"))
                    .as(node.id).isEqualTo(node == a ? "111 222 222 from b dc-b {\"dc-a\": 2, \"dc-b\": 1} no error"
                            : "222 111 222 from b dc-b {\"dc-a\": 2, \"dc-b\": 1} no error");
        }
        assertThat(a.conflicts).hasSize(1);
        assertThat(b.conflicts).hasSize(1);
    }

    @Test
    void aWriteMadeAfterSeeingAnotherWinsEvenWithItsClockBehind() throws Exception {
        b.setClockOffset(-5_000);
        replicateInsert(1, 100);
        SourceTransaction onB = b.write(List.of("UPDATE account SET balance = 5 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));

        ApplyResult atA = a.applierFrom(b).apply(List.of(onB), "dc-b", 1);

        assertThat(atA.conflictCount()).isZero();
        assertThat(a.dump("account")).isEqualTo(b.dump("account"));
        assertThat(a.queryOne("SELECT balance FROM account WHERE id = 1")).isEqualTo("5");
        assertThat(Long.parseLong(a.queryOne("SELECT syncline_hlc FROM account")))
                .isGreaterThan(Long.parseLong(a.queryOne("SELECT (" + onB.changes().get(0).version().clock().hlc() + " - 1)::text")));
        assertThat(a.conflictLog()).isEmpty();
        assertThat(b.conflictLog()).isEmpty();
    }

    @Test
    void aDeleteConcurrentWithAnOlderUpdateStaysDeleted() throws Exception {
        replicateInsert(1, 100);
        SourceTransaction update = b.write(List.of("UPDATE account SET balance = 7 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        a.setClockOffset(1_000);
        SourceTransaction delete = a.write(List.of("DELETE FROM account WHERE id = 1"), change("public.account", Operation.DELETE, 1));

        b.applierFrom(a).apply(List.of(delete), "dc-a", 2);
        a.applierFrom(b).apply(List.of(update), "dc-b", 1);

        assertThat(a.dump("account")).isEmpty();
        assertThat(b.dump("account")).isEmpty();
        assertThat(a.tombstones()).isEqualTo(b.tombstones()).hasSize(1);
        assertThat(a.conflictLog()).containsExactly("public.account {\"id\": \"1\"} delete_update lww local dc-b");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"1\"} update_delete lww remote dc-a");
    }

    @Test
    void aNewerUpdateBeatsAnOlderDelete() throws Exception {
        replicateInsert(1, 100);
        SourceTransaction delete = a.write(List.of("DELETE FROM account WHERE id = 1"), change("public.account", Operation.DELETE, 1));
        b.setClockOffset(1_000);
        SourceTransaction update = b.write(List.of("UPDATE account SET balance = 8 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));

        b.applierFrom(a).apply(List.of(delete), "dc-a", 2);
        a.applierFrom(b).apply(List.of(update), "dc-b", 1);

        assertThat(a.dump("account")).isEqualTo(b.dump("account")).hasSize(1);
        assertThat(a.queryOne("SELECT balance FROM account")).isEqualTo("8");
        assertThat(a.conflictLog()).containsExactly("public.account {\"id\": \"1\"} delete_update lww remote dc-b");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"1\"} update_delete lww local dc-a");
    }

    @Test
    void anOlderUpdateArrivingAfterTheDeleteDoesNotResurrectTheRow() throws Exception {
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (1, 1, NULL)"), change("public.account", Operation.INSERT, 1));
        b.applierFrom(a).apply(List.of(insert), "dc-a", 1);
        c.applierFrom(a).apply(List.of(insert), "dc-a", 1);
        SourceTransaction update = b.write(List.of("UPDATE account SET balance = 2 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        a.applierFrom(b).apply(List.of(update), "dc-b", 1);
        SourceTransaction delete = a.write(List.of("DELETE FROM account WHERE id = 1"), change("public.account", Operation.DELETE, 1));

        // dc-c hears of the delete (from dc-a) before the update it followed (from dc-b).
        c.applierFrom(a).apply(List.of(delete), "dc-a", 2);
        ApplyResult late = c.applierFrom(b).apply(List.of(update), "dc-b", 1);

        assertThat(late.rowsSkipped()).isEqualTo(1);
        assertThat(c.dump("account")).isEmpty();
        assertThat(c.tombstones()).isEqualTo(a.tombstones());
        assertThat(c.conflictLog()).isEmpty();
    }

    @Test
    void causallyOrderedWritesNeverConflict() throws Exception {
        replicateInsert(1, 100);
        SourceTransaction b1 = b.write(List.of("UPDATE account SET balance = 1 WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        a.applierFrom(b).apply(List.of(b1), "dc-b", 1);
        SourceTransaction a2 = a.write(List.of("UPDATE account SET note = 'a2' WHERE id = 1"), change("public.account", Operation.UPDATE, 1));
        b.applierFrom(a).apply(List.of(a2), "dc-a", 2);
        SourceTransaction b3 = b.write(List.of("DELETE FROM account WHERE id = 1"), change("public.account", Operation.DELETE, 1));
        a.applierFrom(b).apply(List.of(b3), "dc-b", 2);
        SourceTransaction a4 = a.write(List.of("INSERT INTO account VALUES (1, 4, 'again')"), change("public.account", Operation.INSERT, 1));
        ApplyResult last = b.applierFrom(a).apply(List.of(a4), "dc-a", 3);

        assertThat(last.rowsWritten()).isEqualTo(1);
        assertThat(a.dump("account")).isEqualTo(b.dump("account")).hasSize(1);
        assertThat(a.conflictLog()).isEmpty();
        assertThat(b.conflictLog()).isEmpty();
    }

    @Test
    void concurrentInsertsOfOneKeyConverge() throws Exception {
        SourceTransaction onA = a.write(List.of("INSERT INTO account VALUES (1, 1, 'a')"), change("public.account", Operation.INSERT, 1));
        b.setClockOffset(1_000);
        SourceTransaction onB = b.write(List.of("INSERT INTO account VALUES (1, 2, 'b')"), change("public.account", Operation.INSERT, 1));

        b.applierFrom(a).apply(List.of(onA), "dc-a", 1);
        a.applierFrom(b).apply(List.of(onB), "dc-b", 1);

        assertThat(a.dump("account")).isEqualTo(b.dump("account"));
        assertThat(a.queryOne("SELECT note FROM account")).isEqualTo("b");
        assertThat(a.conflictLog()).containsExactly("public.account {\"id\": \"1\"} insert_insert lww remote dc-b");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"1\"} insert_insert lww local dc-a");
    }

    @Test
    void concurrentDeletesConvergeOnOneTombstone() throws Exception {
        replicateInsert(1, 100);
        SourceTransaction onA = a.write(List.of("DELETE FROM account"), change("public.account", Operation.DELETE, 1));
        b.setClockOffset(1_000);
        SourceTransaction onB = b.write(List.of("DELETE FROM account"), change("public.account", Operation.DELETE, 1));

        b.applierFrom(a).apply(List.of(onA), "dc-a", 2);
        a.applierFrom(b).apply(List.of(onB), "dc-b", 1);

        assertThat(a.tombstones()).isEqualTo(b.tombstones()).hasSize(1);
        assertThat(a.conflictLog()).containsExactly("public.account {\"id\": \"1\"} delete_delete lww remote dc-b");
        assertThat(b.conflictLog()).containsExactly("public.account {\"id\": \"1\"} delete_delete lww local dc-a");
    }

    @Test
    void aPrimaryKeyChangeMovesTheRow() throws Exception {
        replicateInsert(1, 100);
        b.exec("UPDATE account SET note = 'seen' WHERE id = 1");
        a.applierFrom(b).apply(List.of(b.captured(List.of(change("public.account", Operation.UPDATE, 1)))), "dc-b", 1);
        SourceTransaction move = a.write(List.of("UPDATE account SET id = 2 WHERE id = 1"),
                new ChangeSpec("public.account", Operation.UPDATE, 2, 1));

        ApplyResult result = b.applierFrom(a).apply(List.of(move), "dc-a", 2);

        assertThat(result.conflictCount()).isZero();
        assertThat(b.dump("account")).isEqualTo(a.dump("account")).hasSize(1);
        assertThat(b.queryOne("SELECT id || ' ' || note FROM account")).isEqualTo("2 seen");
        assertThat(b.queryOne("SELECT pk::text FROM syncline.tombstone")).isEqualTo("{\"id\": \"1\"}");
    }

    @Test
    void anUpdateArrivingBeforeItsInsertCreatesTheRowWithDefaultsForUnsentColumns() throws Exception {
        RowVersion version = new RowVersion(new RowClock(42L << 16, "dc-a"), VersionVector.of(Map.of("dc-a", 2L)));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", "9");
        values.put("n", "1.5");
        values.put("big", null);
        RowChange update = new RowChange("public.item", Operation.UPDATE, Map.of("id", "9"), null, values, Set.of("big"), version);
        SourceTransaction transaction = new SourceTransaction("dc-a", 500, 0, 1, List.of("dc-a"), List.of(update));

        b.applierFrom(a).apply(List.of(transaction), "dc-a", 1);

        assertThat(b.queryOne("SELECT n::text || ' ' || big || ' ' || syncline_vv::text FROM item WHERE id = 9"))
                .isEqualTo("1.50000 default-big {\"dc-a\": 2}");
    }

    @Test
    void anUnknownColumnIsAPermanentErrorNamingTheTransaction() throws Exception {
        RowVersion version = new RowVersion(new RowClock(42L << 16, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));
        RowChange insert = new RowChange("public.account", Operation.INSERT, Map.of("id", "1"), null,
                Map.of("id", "1", "balance", "1", "added_later", "x"), null, version);
        SourceTransaction transaction = new SourceTransaction("dc-a", 600, 0, 77, List.of("dc-a"), List.of(insert));

        assertThatThrownBy(() -> b.applierFrom(a).apply(List.of(transaction), "dc-a", 1))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("[dc-b <- dc-a]")
                .hasMessageContaining("added_later")
                .hasMessageContaining("position 600");
        assertThat(b.applierFrom(a).appliedPosition("dc-a")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------

    private static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
    }

    /** The URL of another database on {@code server}. */
    private static String jdbcUrl(PostgresServer server, String database) {
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database;
    }

    /** Inserts account {@code id} on dc-a and applies it to dc-b. */
    private void replicateInsert(int id, int balance) throws Exception {
        SourceTransaction insert = a.write(List.of("INSERT INTO account VALUES (" + id + ", " + balance + ", 'initial')"),
                change("public.account", Operation.INSERT, id));
        b.applierFrom(a).apply(List.of(insert), "dc-a", 1);
        assertThat(b.dump("account")).isEqualTo(a.dump("account"));
    }

    private static ChangeSpec change(String table, Operation operation, int id) {
        return new ChangeSpec(table, operation, id, null);
    }

    /** Which row change to capture after a local write; {@code oldId} for a key change. */
    private record ChangeSpec(String table, Operation operation, int id, Integer oldId) {}

    /** One datacenter: its database, the appliers of its links, and a capture stand-in. */
    private static final class Node implements AutoCloseable {

        final String id;
        final HikariDataSource pool;
        final Connection app;
        final List<ResolvedConflict> conflicts = new CopyOnWriteArrayList<>();
        private final Map<String, TransactionApplier> appliers = new LinkedHashMap<>();
        private long position = 1_000;
        private long txId;

        Node(String id, String jdbcUrl, PostgresServer server) throws SQLException {
            this.id = id;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(server.user());
            config.setPassword(server.password());
            config.setMaximumPoolSize(2);
            config.setPoolName("apply-" + id);
            this.pool = new HikariDataSource(config);
            this.app = DriverManager.getConnection(jdbcUrl, server.user(), server.password());
            try (Statement statement = app.createStatement()) {
                statement.execute(DDL);
            }
            new ReplicationSchemaInstaller(id).install(app, TABLES);
        }

        TransactionApplier applierFrom(Node upstream) {
            return appliers.computeIfAbsent(upstream.id, u -> new TransactionApplier(id, pool, LastWriteWinsStrategy.INSTANCE,
                    new ApplyListener() {
                        @Override
                        public void conflictResolved(ResolvedConflict conflict) {
                            conflicts.add(conflict);
                        }
                    }, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION));
        }

        void reset() throws SQLException {
            // Every node is emptied alike, so a TRUNCATE at each is what the test means.
            exec("SET syncline.local_truncate = on");
            exec("TRUNCATE item, account, slot, syncline.tombstone, syncline.conflict_log, syncline.applied_position, syncline.link_offset");
            setClockOffset(0);
            appliers.clear();
            conflicts.clear();
        }

        void setClockOffset(long millis) throws SQLException {
            ReplicationSchemaInstaller.setClockOffset(app, millis);
        }

        void exec(String sql) throws SQLException {
            try (Statement statement = app.createStatement()) {
                statement.execute(sql);
            }
        }

        /** Creates a login role without other rights, unless the server has it from an earlier test (roles are per server). */
        void createLoginRole(String name, String password) throws SQLException {
            exec("""
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN
                            CREATE ROLE %1$s LOGIN PASSWORD '%2$s';
                        END IF;
                    END $$""".formatted(name, password));
        }

        String queryOne(String sql) throws SQLException {
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                assertThat(rs.next()).as("a row from %s", sql).isTrue();
                return rs.getString(1) == null ? "" : rs.getString(1);
            }
        }

        /** Runs {@code statements} as one local transaction and captures the given changes after it. */
        SourceTransaction write(List<String> statements, ChangeSpec... changes) throws SQLException {
            app.setAutoCommit(false);
            try (Statement statement = app.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
                app.commit();
            } catch (SQLException e) {
                app.rollback();
                throw e;
            } finally {
                app.setAutoCommit(true);
            }
            return captured(List.of(changes));
        }

        /** What the capture would publish for these changes, read from the committed state. */
        SourceTransaction captured(List<ChangeSpec> changes) throws SQLException {
            List<RowChange> rowChanges = new ArrayList<>();
            for (ChangeSpec spec : changes) {
                Map<String, String> key = Map.of("id", Integer.toString(spec.id()));
                Map<String, String> oldKey = spec.oldId() == null ? null : Map.of("id", Integer.toString(spec.oldId()));
                if (spec.operation() == Operation.DELETE) {
                    try (PreparedStatement select = app.prepareStatement("SELECT hlc, node_id, vv::text FROM syncline.tombstone"
                            + " WHERE table_name = ? AND pk = jsonb_build_object('id', ?::text)")) {
                        select.setString(1, spec.table());
                        select.setString(2, key.get("id"));
                        try (ResultSet rs = select.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            rowChanges.add(new RowChange(spec.table(), Operation.DELETE, key, null, null, null,
                                    version(rs.getLong(1), rs.getString(2), rs.getString(3))));
                        }
                    }
                    continue;
                }
                List<String> columns = columns(spec.table());
                String select = "SELECT " + String.join(", ", columns.stream().map(c -> c + "::text").toList())
                        + ", syncline_hlc, syncline_node, syncline_vv::text FROM " + spec.table() + " WHERE id = " + spec.id();
                try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(select)) {
                    assertThat(rs.next()).isTrue();
                    Map<String, String> values = new LinkedHashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        values.put(columns.get(i), rs.getString(i + 1));
                    }
                    int n = columns.size();
                    rowChanges.add(new RowChange(spec.table(), spec.operation(), key, oldKey, values, null,
                            version(rs.getLong(n + 1), rs.getString(n + 2), rs.getString(n + 3))));
                }
            }
            position += 10;
            return new SourceTransaction(id, position, System.currentTimeMillis() * 1000, ++txId, List.of(id), rowChanges);
        }

        private List<String> columns(String table) throws SQLException {
            List<String> columns = new ArrayList<>();
            try (PreparedStatement select = app.prepareStatement("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_schema || '.' || table_name = ? AND column_name NOT LIKE 'syncline%' ORDER BY ordinal_position")) {
                select.setString(1, table);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        columns.add(rs.getString(1));
                    }
                }
            }
            return columns;
        }

        private static RowVersion version(long hlc, String node, String vv) {
            try {
                Map<String, Long> counters = JSON.readValue(vv, new TypeReference<Map<String, Long>>() {});
                return new RowVersion(new RowClock(hlc, node), VersionVector.of(counters));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Every row with every column (metadata included) as text, by key. */
        List<List<String>> dump(String table) throws SQLException {
            List<String> columns = new ArrayList<>(columns("public." + table));
            columns.addAll(List.of("syncline_hlc", "syncline_node", "syncline_vv"));
            return rows("SELECT " + String.join(", ", columns.stream().map(c -> c + "::text").toList()) + " FROM " + table + " ORDER BY id");
        }

        List<List<String>> tombstones() throws SQLException {
            return rows("SELECT table_name, pk::text, hlc::text, node_id, vv::text FROM syncline.tombstone ORDER BY 1, 2");
        }

        List<String> conflictLog() throws SQLException {
            List<String> lines = new ArrayList<>();
            for (List<String> row : rows("SELECT table_name, pk::text, conflict_type, rule, winner, origin_node"
                    + " FROM syncline.conflict_log ORDER BY id")) {
                lines.add(String.join(" ", row));
            }
            return lines;
        }

        private List<List<String>> rows(String sql) throws SQLException {
            List<List<String>> rows = new ArrayList<>();
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }

        @Override
        public void close() throws SQLException {
            pool.close();
            app.close();
        }
    }
}
