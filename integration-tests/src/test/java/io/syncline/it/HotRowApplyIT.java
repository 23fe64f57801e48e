package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.ApplyListener;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.LastWriteWinsStrategy;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An applier applying a backlog whose every source transaction writes a row the application
 * also writes (the hot rows of issue 19) against real PostgreSQL from {@link TestEnvironments}:
 * the application's own updates of that row wait for one short target transaction, not for the
 * backlog, and the backlog still applies exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotRowApplyIT {

    private static final int BACKLOG = 1_000;
    private static final String DDL = """
            CREATE TABLE hot (id int PRIMARY KEY, n numeric(20,5) NOT NULL, tags text[], doc jsonb);
            CREATE TABLE note (id int PRIMARY KEY, hot int NOT NULL, body text);
            """;

    private Environment environment;
    private PostgresServer server;
    private HikariDataSource pool;
    private final List<Long> targetTransactionRows = new CopyOnWriteArrayList<>();
    private final AtomicInteger lockWaits = new AtomicInteger();

    @BeforeAll
    void startServer() throws SQLException {
        environment = TestEnvironments.create();
        server = environment.startPostgres("dc-b");
        try (Connection admin = connect(); Statement statement = admin.createStatement()) {
            statement.execute(DDL);
            new ReplicationSchemaInstaller("dc-b").install(admin, List.of("public.hot", "public.note"));
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setMaximumPoolSize(2);
        pool = new HikariDataSource(config);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (pool != null) {
            pool.close();
        }
        if (environment != null) {
            environment.close();
        }
    }

    @Test
    void theApplicationWaitsForOneShortTargetTransactionNotForTheBacklog() throws Exception {
        TransactionApplier applier = new TransactionApplier("dc-b", pool, LastWriteWinsStrategy.INSTANCE, new ApplyListener() {
            @Override
            public void targetTransactionCommitted(ApplyResult result) {
                targetTransactionRows.add(result.rowsWritten() + result.rowsSkipped());
            }

            @Override
            public void lockWaited(Duration waited) {
                lockWaits.incrementAndGet();
            }
        }, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
        applier.apply(List.of(seedHotRows()), "dc-a", 1);
        targetTransactionRows.clear();
        List<SourceTransaction> backlog = new ArrayList<>();
        for (int i = 1; i <= BACKLOG; i++) {
            backlog.add(noteAndHotUpdate(i));
        }

        List<Long> appWaitsMillis = new ArrayList<>();
        long appliedAfterRelease;
        try (Connection app = connect()) {
            // An application transaction holds the hot row as the backlog arrives.
            app.setAutoCommit(false);
            try (Statement statement = app.createStatement()) {
                statement.execute("UPDATE hot SET n = n + 1 WHERE id = 1");
            }
            CompletableFuture<ApplyResult> applying = CompletableFuture.supplyAsync(() -> {
                try {
                    return applier.apply(backlog, "dc-a", 1 + BACKLOG);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // The applier waits for the row with no bound only once its target transaction is down to
            // one source transaction; until then each wait ends after the applier's bound.
            await().atMost(Duration.ofSeconds(60)).until(() -> applierWaitsLongerThan(Duration.ofMillis(300))
                    || applying.isDone());
            app.commit();
            long released = System.nanoTime();
            app.setAutoCommit(true);
            try (Statement statement = app.createStatement()) {
                while (!applying.isDone()) {
                    long started = System.nanoTime();
                    statement.execute("UPDATE hot SET n = n + 1, doc = jsonb_set(doc, '{app}', to_jsonb(n)) WHERE id = 1");
                    appWaitsMillis.add((System.nanoTime() - started) / 1_000_000);
                }
            }
            ApplyResult result = applying.get(5, TimeUnit.MINUTES);
            appliedAfterRelease = (System.nanoTime() - released) / 1_000_000;
            assertThat(result.appliedTransactions()).isEqualTo(BACKLOG);
        }

        long longestAppWait = appWaitsMillis.stream().mapToLong(Long::longValue).max().orElse(0);
        assertThat(longestAppWait)
                .as("the application's longest update of the hot row (%d updates) while the backlog applied for %d ms",
                        appWaitsMillis.size(), appliedAfterRelease)
                .isLessThan(appliedAfterRelease / 4);
        assertThat(lockWaits).as("target transactions that gave up on a lock wait").hasPositiveValue();
        assertThat(targetTransactionRows.stream().filter(rows -> rows <= 2).count())
                .as("target transactions of one source transaction (two rows), of %d", targetTransactionRows.size())
                .isGreaterThanOrEqualTo(BACKLOG / 4);

        // Exactly once: every note, the position and the offset of the last, and a replay applies nothing.
        assertThat(queryLong("SELECT count(*) FROM note")).isEqualTo(BACKLOG);
        assertThat(applier.appliedPosition("dc-a")).isEqualTo(OptionalLong.of(1 + BACKLOG));
        assertThat(applier.linkOffset("dc-a")).isEqualTo(OptionalLong.of(1 + BACKLOG));
        ApplyResult replay = applier.apply(backlog, "dc-a", 1 + BACKLOG);
        assertThat(replay.appliedTransactions()).isZero();
        assertThat(replay.duplicateTransactions()).isEqualTo(BACKLOG);
    }

    private boolean applierWaitsLongerThan(Duration wait) throws SQLException {
        return queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND clock_timestamp() - query_start > interval '" + wait.toMillis() + " milliseconds'") > 0;
    }

    /** Four hot rows, written by dc-a at position 1. */
    private static SourceTransaction seedHotRows() {
        List<RowChange> changes = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            changes.add(new RowChange("public.hot", Operation.INSERT, Map.of("id", Integer.toString(id)), null,
                    Map.of("id", Integer.toString(id), "n", "0", "tags", "{}", "doc", "{}"), null, version(1)));
        }
        return new SourceTransaction("dc-a", 1, 0, 1, List.of("dc-a"), changes);
    }

    /** dc-a's transaction at position {@code 1 + i}: a note of its own and an update of hot row 1. */
    private static SourceTransaction noteAndHotUpdate(int i) {
        long position = 1 + i;
        RowChange note = new RowChange("public.note", Operation.INSERT, Map.of("id", Integer.toString(i)), null,
                Map.of("id", Integer.toString(i), "hot", "1", "body", "note " + i), null, version(position));
        RowChange hot = new RowChange("public.hot", Operation.UPDATE, Map.of("id", "1"), null,
                Map.of("id", "1", "n", i + ".5", "tags", "{a,b" + i + "}", "doc", "{\"i\": " + i + "}"), null, version(position));
        return new SourceTransaction("dc-a", position, 0, position, List.of("dc-a"), List.of(note, hot));
    }

    /** dc-a's version at {@code position}: its clock far ahead of this machine's, so that dc-a's writes win. */
    private static RowVersion version(long position) {
        long hlc = ((System.currentTimeMillis() + 3_600_000L) << 16) + position;
        return new RowVersion(new RowClock(hlc, "dc-a"), VersionVector.of(Map.of("dc-a", position)));
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
    }
}
