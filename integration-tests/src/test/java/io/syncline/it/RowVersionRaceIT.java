package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application INSERT that waits for a concurrent DELETE of the same key must still get a
 * version that follows the delete's tombstone: its row trigger runs before the wait, so without
 * the re-stamp after the insert it would see no tombstone and start the row's version vector
 * again, and the other nodes would take the new row for an old one.
 */
class RowVersionRaceIT {

    private static Environment environment;
    private static PostgresServer server;

    @BeforeAll
    static void startDatabase() throws SQLException {
        environment = TestEnvironments.create();
        server = environment.startPostgres("dc-a");
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE public.items (id integer PRIMARY KEY, note text)");
            new ReplicationSchemaInstaller("dc-a").install(connection, List.of("public.items"));
        }
    }

    @AfterAll
    static void stop() {
        if (environment != null) {
            environment.close();
        }
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM public.items");
            statement.execute("DELETE FROM syncline.tombstone");
            statement.execute("INSERT INTO public.items VALUES (1, 'first')");
        }
    }

    @Test
    void insertWaitingForAnAppliedDeleteFollowsItsTombstone() throws Exception {
        try (Connection applier = connect(); Statement apply = applier.createStatement()) {
            apply.execute("SELECT pg_replication_origin_create('syncline_from_dc_b') WHERE NOT EXISTS"
                    + " (SELECT 1 FROM pg_replication_origin WHERE roname = 'syncline_from_dc_b')");
            apply.execute("SELECT pg_replication_origin_session_setup('syncline_from_dc_b')");
            applier.setAutoCommit(false);
            apply.execute("DELETE FROM public.items WHERE id = 1");
            apply.execute("INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv) VALUES"
                    + " ('public.items', '{\"id\": \"1\"}', (syncline.now_hlc() + 65536000), 'dc-b', '{\"dc-a\": 1, \"dc-b\": 5}')");

            CompletableFuture<Void> insert = insertAgainWhenTheKeyIsFree();
            applier.commit();
            apply.execute("SELECT pg_replication_origin_session_reset()");
            insert.get(30, TimeUnit.SECONDS);
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT i.syncline_vv::text, i.syncline_hlc > t.hlc"
                        + " FROM public.items i, syncline.tombstone t WHERE i.id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("{\"dc-a\": 2, \"dc-b\": 5}");
            assertThat(rs.getBoolean(2)).as("the new row orders after the delete").isTrue();
        }
    }

    @Test
    void insertWaitingForALocalDeleteFollowsItsTombstone() throws Exception {
        try (Connection deleter = connect(); Statement delete = deleter.createStatement()) {
            deleter.setAutoCommit(false);
            delete.execute("UPDATE public.items SET note = 'second' WHERE id = 1");
            delete.execute("DELETE FROM public.items WHERE id = 1");
            CompletableFuture<Void> insert = insertAgainWhenTheKeyIsFree();
            deleter.commit();
            insert.get(30, TimeUnit.SECONDS);
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT syncline_vv::text FROM public.items WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            // insert 1, update 2, delete 3 (the tombstone), insert again 4
            assertThat(rs.getString(1)).isEqualTo("{\"dc-a\": 4}");
        }
    }

    @Test
    void aSessionThatSetsTheRestampSettingItselfIsStillStamped() throws Exception {
        try (Connection app = connect(); Statement statement = app.createStatement()) {
            statement.execute("SET syncline.restamp = on");
            statement.execute("UPDATE public.items SET note = 'second' WHERE id = 1");
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT syncline_vv::text FROM public.items WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            // insert 1, update 2: an unstamped update would keep the insert's version, and the
            // other nodes would drop the change as one they already have
            assertThat(rs.getString(1)).isEqualTo("{\"dc-a\": 2}");
        }
    }

    /** Starts an INSERT of key 1 on its own connection and returns once it waits for the key's lock. */
    private static CompletableFuture<Void> insertAgainWhenTheKeyIsFree() {
        CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
            try (Connection app = connect(); Statement statement = app.createStatement()) {
                statement.execute("INSERT INTO public.items VALUES (1, 'again')");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingInserts() == 1);
        return insert;
    }

    private static int waitingInserts() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'INSERT INTO public.items VALUES (1, ''again'')%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
    }
}
