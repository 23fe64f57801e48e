package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.core.schema.TableObjectNames;
import io.syncline.core.schema.TableObjectNames.Kind;
import io.syncline.it.support.DcCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import io.syncline.schema.SchemaException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code syncline init} installs, between two datacenters: trigger functions that no two
 * tables share whatever their names, that run no function a writer defined, partitioned tables
 * replicating through their root, and TRUNCATE refused where it would not replicate. Each test
 * writes its own tables.
 */
class SchemaObjectsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    /** 62 characters qualified: the old function names of this table were cut to the same 63 bytes. */
    private static final String LONG_TABLE = "it.readings_of_every_sensor_in_every_building_of_the_main_site";

    private static DcCluster cluster;

    @BeforeAll
    static void startTwoDatacenters() {
        assertThat(LONG_TABLE).hasSize(62);
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE SCHEMA public_a")
                .schema("CREATE TABLE public.a_b (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE public_a.b (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE " + LONG_TABLE + " (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE it.owned (id int PRIMARY KEY, v text)")
                .schema("CREATE TABLE it.readings (region text, id int, v text, PRIMARY KEY (region, id)) PARTITION BY LIST (region)")
                .schema("CREATE TABLE it.readings_eu PARTITION OF it.readings FOR VALUES IN ('eu')")
                .schema("CREATE TABLE it.readings_us PARTITION OF it.readings FOR VALUES IN ('us')")
                .schema("CREATE TABLE it.guarded (id int PRIMARY KEY, v text)")
                .replicate("public.a_b", "public_a.b", LONG_TABLE, "it.owned", "it.readings", "it.guarded")
                .start();
        cluster.startAllNodes();
    }

    @AfterAll
    static void stopTwoDatacenters() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------------------ names

    @Test
    void tablesWhoseNamesDifferOnlyWhereTheDotIsKeepTheirOwnRowsAndDeletes() throws Exception {
        for (String node : List.of(A, B)) {
            int base = node.equals(A) ? 0 : 100;
            for (String table : List.of("public.a_b", "public_a.b")) {
                cluster.execute(node, "INSERT INTO " + table + " VALUES (" + (base + 1) + ", '" + table + " " + node + "'), ("
                        + (base + 2) + ", '" + table + " " + node + "')");
            }
        }
        // One delete in each table, each of a key the other table keeps.
        cluster.execute(A, "DELETE FROM public.a_b WHERE id = 1", "DELETE FROM public_a.b WHERE id = 2");

        for (String node : List.of(A, B)) {
            await("each table at " + node + " holds its own rows").atMost(WAIT).untilAsserted(() -> {
                assertThat(ids(node, "public.a_b")).containsExactly("2", "101", "102");
                assertThat(ids(node, "public_a.b")).containsExactly("1", "101", "102");
            });
        }
        for (String table : List.of("public.a_b", "public_a.b")) {
            String rows = "SELECT t::text FROM " + table + " t ORDER BY t.id";
            assertThat(cluster.queryRows(B, rows)).as(table).isEqualTo(cluster.queryRows(A, rows));
        }
    }

    @Test
    void aTableWithA62CharacterNameKeepsItsLocalWritesAndReplicatesThem() throws Exception {
        cluster.execute(A, "INSERT INTO " + LONG_TABLE + " VALUES (1, 'at dc-a')");
        cluster.execute(B, "INSERT INTO " + LONG_TABLE + " VALUES (101, 'at dc-b')");
        for (String node : List.of(A, B)) {
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM " + LONG_TABLE)).as("local insert at %s kept", node)
                    .isEqualTo(1);
        }
        cluster.execute(A, "UPDATE " + LONG_TABLE + " SET v = 'updated at dc-a' WHERE id = 1");
        cluster.execute(B, "DELETE FROM " + LONG_TABLE + " WHERE id = 101", "INSERT INTO " + LONG_TABLE + " VALUES (102, 'at dc-b')");

        String rows = "SELECT t.id::text, t.v, t.syncline_vv::text FROM " + LONG_TABLE + " t ORDER BY t.id";
        for (String node : List.of(A, B)) {
            await("the rows at " + node).atMost(WAIT).untilAsserted(() -> assertThat(cluster.queryRows(node, rows))
                    .containsExactly(List.of("1", "updated at dc-a", "{\"dc-a\": 2}"), List.of("102", "at dc-b", "{\"dc-b\": 1}")));
        }
    }

    @Test
    void initRecordsEachTablesFunctionsAndTheyFitInAnIdentifier() throws Exception {
        for (String table : List.of("public.a_b", "public_a.b", LONG_TABLE)) {
            int dot = table.indexOf('.');
            TableObjectNames names = TableObjectNames.of(table.substring(0, dot), table.substring(dot + 1));
            for (Kind kind : Kind.values()) {
                assertThat(cluster.queryString(A, "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                        + " WHERE t.tgrelid = '" + table + "'::regclass AND t.tgname = '" + kind.triggerName() + "'"))
                        .as("%s %s", table, kind).isEqualTo(names.function(kind));
                assertThat(cluster.queryString(A, "SELECT function_name FROM syncline.table_objects WHERE schema_name = '"
                        + names.schema() + "' AND table_name = '" + names.table() + "' AND kind = '" + kind.suffix() + "'"))
                        .isEqualTo(names.function(kind));
            }
        }
    }

    // ------------------------------------------------------------------------------ search_path

    @Test
    void aWritersOwnFunctionInPublicIsNeverRunByTheTriggers() throws Exception {
        // An application role that may create objects in public shadows functions the triggers call with
        // better-matching signatures; its functions record who ran them and from which trigger depth.
        cluster.execute(A,
                "CREATE ROLE app_writer",
                "GRANT USAGE, CREATE ON SCHEMA public TO app_writer",
                "GRANT USAGE ON SCHEMA it TO app_writer",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON it.owned TO app_writer",
                "CREATE TABLE public.evidence (who text, function text, trigger_depth int)",
                "GRANT INSERT ON public.evidence TO app_writer");
        try (Connection connection = cluster.connect(A); Statement statement = connection.createStatement()) {
            statement.execute("SET ROLE app_writer");
            for (String signature : List.of("text, text", "text, bigint")) {
                statement.execute("CREATE FUNCTION public.jsonb_build_object(" + signature + ") RETURNS jsonb LANGUAGE plpgsql AS $$"
                        + " BEGIN INSERT INTO public.evidence VALUES (current_user, 'jsonb_build_object(" + signature + ")',"
                        + " pg_catalog.pg_trigger_depth()); RETURN pg_catalog.jsonb_build_object($1, $2); END $$");
            }
            statement.execute("CREATE FUNCTION public.jsonb_build_array(text, bigint, bigint) RETURNS jsonb LANGUAGE plpgsql AS $$"
                    + " BEGIN INSERT INTO public.evidence VALUES (current_user, 'jsonb_build_array', pg_catalog.pg_trigger_depth());"
                    + " RETURN pg_catalog.jsonb_build_array($1, $2, $3); END $$");
            statement.execute("INSERT INTO it.owned VALUES (1, 'one'), (2, 'two')");
            statement.execute("UPDATE it.owned SET v = 'uno' WHERE id = 1");
            statement.execute("DELETE FROM it.owned WHERE id = 2");
        }

        await("the writer's changes at " + B).atMost(WAIT).untilAsserted(() -> assertThat(
                cluster.queryRows(B, "SELECT o.id::text, o.v, o.syncline_vv::text FROM it.owned o ORDER BY o.id"))
                .containsExactly(List.of("1", "uno", "{\"dc-a\": 2}")));
        assertThat(cluster.queryRows(A, "SELECT who, function, trigger_depth::text FROM public.evidence WHERE trigger_depth > 0"))
                .as("calls of the writer's functions from inside the triggers").isEmpty();
        assertThat(cluster.queryRows(A, "SELECT o.id::text, o.v, o.syncline_vv::text FROM it.owned o ORDER BY o.id"))
                .containsExactly(List.of("1", "uno", "{\"dc-a\": 2}"));

        // The applier at dc-a builds keys with the same functions, in the node role's own session.
        cluster.execute(B, "INSERT INTO it.owned VALUES (3, 'three at b')", "UPDATE it.owned SET v = 'one at b' WHERE id = 1",
                "DELETE FROM it.owned WHERE id = 3");
        await("dc-b's changes at " + A).atMost(WAIT).untilAsserted(() -> assertThat(
                cluster.queryRows(A, "SELECT o.id::text, o.v FROM it.owned o ORDER BY o.id")).containsExactly(List.of("1", "one at b")));
        assertThat(cluster.queryRows(A, "SELECT who, function, trigger_depth::text FROM public.evidence"))
                .as("calls of the writer's functions by the triggers or the applier").isEmpty();
    }

    // ------------------------------------------------------------------------------ partitions

    @Test
    void aPartitionedTableReplicatesBothWaysThroughItsRoot() throws Exception {
        cluster.execute(A, "INSERT INTO it.readings VALUES ('eu', 1, 'eu one at a'), ('us', 1, 'us one at a')");
        cluster.execute(B, "INSERT INTO it.readings VALUES ('eu', 2, 'eu two at b'), ('us', 2, 'us two at b')");
        await("both datacenters' rows everywhere").atMost(WAIT).until(() ->
                cluster.queryLong(A, "SELECT count(*) FROM it.readings") == 4 && cluster.queryLong(B, "SELECT count(*) FROM it.readings") == 4);

        // An update within a partition, one that moves a row to another partition, a delete and an insert.
        cluster.execute(B, "UPDATE it.readings SET v = 'eu one updated at b' WHERE region = 'eu' AND id = 1",
                "UPDATE it.readings SET region = 'eu', id = 3, v = 'moved at b' WHERE region = 'us' AND id = 2");
        cluster.execute(A, "DELETE FROM it.readings WHERE region = 'us' AND id = 1",
                "INSERT INTO it.readings VALUES ('us', 4, 'us four at a')");

        String rows = "SELECT r.tableoid::regclass::text, r.region, r.id::text, r.v FROM it.readings r ORDER BY r.region, r.id";
        List<List<String>> expected = List.of(List.of("it.readings_eu", "eu", "1", "eu one updated at b"),
                List.of("it.readings_eu", "eu", "2", "eu two at b"), List.of("it.readings_eu", "eu", "3", "moved at b"),
                List.of("it.readings_us", "us", "4", "us four at a"));
        for (String node : List.of(A, B)) {
            await("the rows, each in its partition, at " + node).atMost(WAIT)
                    .untilAsserted(() -> assertThat(cluster.queryRows(node, rows)).isEqualTo(expected));
        }
        String versions = "SELECT r.region, r.id::text, r.syncline_hlc::text, r.syncline_node, r.syncline_vv::text FROM it.readings r"
                + " ORDER BY r.region, r.id";
        assertThat(cluster.queryRows(B, versions)).isEqualTo(cluster.queryRows(A, versions));
    }

    // ------------------------------------------------------------------------------ TRUNCATE

    @Test
    void truncateOfAReplicatedTableIsRefusedAtBothDatacentersAndTheRowsStay() throws Exception {
        cluster.execute(A, "INSERT INTO it.guarded VALUES (1, 'a'), (2, 'b')");
        await("the rows at " + B).atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.guarded") == 2);

        for (String node : List.of(A, B)) {
            assertThatThrownBy(() -> cluster.execute(node, "TRUNCATE it.guarded"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("TRUNCATE of it.guarded refused: Syncline does not replicate TRUNCATE")
                    .hasMessageContaining("Use DELETE FROM it.guarded");
            assertThatThrownBy(() -> cluster.execute(node, "TRUNCATE it.readings_us"))
                    .hasMessageContaining("TRUNCATE of it.readings_us refused")
                    .hasMessageContaining("would keep the rows of it.readings");
            assertThatThrownBy(() -> cluster.execute(node, "TRUNCATE it.readings")).hasMessageContaining("refused");
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.guarded")).isEqualTo(2);
        }

        // The documented way to empty a table at one datacenter only.
        try (Connection connection = cluster.connect(B); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL syncline.local_truncate = on");
            statement.execute("TRUNCATE it.guarded");
            connection.commit();
        }
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM it.guarded")).isZero();
        cluster.execute(A, "DELETE FROM it.guarded WHERE id = 1");
        await("the delete at " + B + " after the local TRUNCATE").atMost(WAIT)
                .until(() -> cluster.queryLong(A, "SELECT count(*) FROM it.guarded") == 1
                        && cluster.appliedPositions(B).getOrDefault(A, -1L) >= newestPosition(A));
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM it.guarded")).isZero();
        assertThatThrownBy(() -> cluster.execute(B, "TRUNCATE it.guarded")).hasMessageContaining("refused");
    }

    // ------------------------------------------------------------------------------ init

    @Test
    void initAgainUpgradesAnOlderNamingAndRefusesAFunctionClaimedByAnotherTable() throws Exception {
        PostgresServer server = cluster.postgres(A);
        cluster.execute(A, "CREATE DATABASE upgrade_check");
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://" + server.host() + ":" + server.port() + "/upgrade_check", server.user(), server.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA public_a");
            statement.execute("CREATE TABLE public.a_b (id int PRIMARY KEY, v text)");
            statement.execute("CREATE TABLE public_a.b (id int PRIMARY KEY, v text)");
            List<String> tables = List.of("public.a_b", "public_a.b");
            ReplicationSchemaInstaller installer = new ReplicationSchemaInstaller(A);
            installer.install(connection, tables);
            // The older naming, schema_table_kind, shared by both tables: rename this installation's
            // functions to it, so that both tables' triggers call the same three functions.
            TableObjectNames first = TableObjectNames.of("public", "a_b");
            TableObjectNames second = TableObjectNames.of("public_a", "b");
            for (Kind kind : List.of(Kind.STAMP, Kind.RESTAMP, Kind.TOMBSTONE)) {
                statement.execute("ALTER FUNCTION " + first.qualifiedFunction(kind) + " RENAME TO public_a_b_" + kind.suffix());
                statement.execute("DROP TRIGGER " + kind.triggerName() + " ON public_a.b");
                statement.execute("CREATE TRIGGER " + kind.triggerName() + (kind == Kind.STAMP ? " BEFORE INSERT OR UPDATE"
                        : kind == Kind.RESTAMP ? " AFTER INSERT" : " AFTER DELETE") + " ON public_a.b FOR EACH ROW EXECUTE FUNCTION"
                        + " syncline.public_a_b_" + kind.suffix() + "()");
                statement.execute("DROP FUNCTION " + second.qualifiedFunction(kind));
            }
            statement.execute("DROP TRIGGER syncline_truncate ON public.a_b");
            statement.execute("DROP TRIGGER syncline_truncate ON public_a.b");
            statement.execute("DELETE FROM syncline.table_objects");

            installer.install(connection, tables);
            installer.install(connection, tables);

            assertThat(single(statement, "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc"
                    + " WHERE pronamespace = 'syncline'::regnamespace AND proname LIKE 'public\\_a\\_b\\_%'"))
                    .isEqualTo(String.join(",", List.of(first.function(Kind.RESTAMP), first.function(Kind.STAMP),
                            first.function(Kind.TOMBSTONE), first.function(Kind.TRUNCATE), second.function(Kind.RESTAMP),
                            second.function(Kind.STAMP), second.function(Kind.TOMBSTONE), second.function(Kind.TRUNCATE))));
            assertThat(single(statement, "SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                    + " WHERE t.tgrelid = 'public_a.b'::regclass AND p.proname LIKE '" + second.stem() + "\\_%'")).isEqualTo("4");
            statement.execute("INSERT INTO public.a_b VALUES (1, 'x')");
            statement.execute("DELETE FROM public.a_b");
            assertThat(single(statement, "SELECT table_name FROM syncline.tombstone")).isEqualTo("public.a_b");

            // Another table claims one of public.a_b's functions.
            statement.execute("CREATE TABLE public.other (id int PRIMARY KEY)");
            statement.execute("UPDATE syncline.table_objects SET schema_name = 'public', table_name = 'other'"
                    + " WHERE function_name = '" + first.function(Kind.STAMP) + "'");
            assertThatThrownBy(() -> installer.install(connection, tables))
                    .isInstanceOf(SchemaException.class)
                    .hasMessageContaining("tables public.other and public.a_b would share the trigger function syncline."
                            + first.function(Kind.STAMP));
        }
    }

    private static List<String> ids(String node, String table) throws SQLException {
        return cluster.queryRows(node, "SELECT t.id::text FROM " + table + " t ORDER BY t.id").stream().map(r -> r.get(0)).toList();
    }

    private static long newestPosition(String origin) {
        return cluster.outbox(origin).stream().filter(r -> r.origin().equals(origin))
                .mapToLong(DcCluster.OutboxRecord::position).max().orElse(-1);
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (var rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
