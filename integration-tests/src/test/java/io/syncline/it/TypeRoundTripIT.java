package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import io.syncline.schema.SchemaException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values of user-defined and less common types between two datacenters: each table is written at
 * both, updated at one, and read back as text everywhere; generated columns are computed at each
 * datacenter, never written by the applier. Composite types, which the capture cannot read, are
 * refused by init. Each test writes its own table.
 */
class TypeRoundTripIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";

    private static DcCluster cluster;

    @BeforeAll
    static void startTwoDatacenters() {
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TYPE it.mood AS ENUM ('sad', 'ok', 'very happy')")
                .schema("CREATE DOMAIN it.positive AS int CHECK (VALUE > 0)")
                .schema("CREATE DOMAIN it.code AS text CHECK (VALUE ~ '^[A-Z]+$')")
                .schema("CREATE TABLE it.enums (id int PRIMARY KEY, m it.mood, ms it.mood[])")
                .schema("CREATE TABLE it.domains (id int PRIMARY KEY, p it.positive, c it.code)")
                .schema("CREATE TABLE it.generated (id int PRIMARY KEY, price numeric(10,2), qty int,"
                        + " total numeric GENERATED ALWAYS AS (price * qty) STORED)")
                .schema("CREATE TABLE it.ranges (id int PRIMARY KEY, i int4range, n numrange, d daterange, t tstzrange)")
                .schema("CREATE TABLE it.money (id int PRIMARY KEY, m money)")
                .schema("CREATE TABLE it.numerics (id int PRIMARY KEY, n numeric)")
                .replicate("it.enums", "it.domains", "it.generated", "it.ranges", "it.money", "it.numerics")
                .start();
        cluster.startAllNodes();
    }

    @AfterAll
    static void stopTwoDatacenters() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void enumsReplicateExactly() throws Exception {
        roundTrip("it.enums", "m, ms", List.of("'ok', '{sad,\"very happy\"}'", "'very happy', '{}'", "NULL, NULL"));
    }

    @Test
    void domainsReplicateExactly() throws Exception {
        roundTrip("it.domains", "p, c", List.of("1, 'ABC'", "2147483647, 'Z'", "NULL, NULL"));
    }

    @Test
    void initRefusesATableWithACompositeColumnNamingTheColumn() throws Exception {
        // The capture (Debezium) finds no converter for a composite type and leaves the column out of every change.
        PostgresServer server = cluster.postgres(A);
        cluster.execute(A, "CREATE DATABASE composite_check");
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port()
                + "/composite_check", server.user(), server.password()); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TYPE address AS (street text, zip int)");
            statement.execute("CREATE DOMAIN checked_address AS address CHECK ((VALUE).zip > 0)");
            statement.execute("CREATE TABLE shipments (id int PRIMARY KEY, note text, sent_to address, stops address[],"
                    + " billed_to checked_address)");

            assertThatThrownBy(() -> new ReplicationSchemaInstaller(A).install(connection, List.of("public.shipments")))
                    .isInstanceOf(SchemaException.class)
                    .hasMessageContaining("table public.shipments has columns whose values cannot be replicated exactly")
                    .hasMessageContaining("sent_to address (a composite type")
                    .hasMessageContaining("stops address[] (a composite type")
                    .hasMessageContaining("billed_to checked_address (a composite type")
                    .hasMessageNotContaining("note");
            assertThat(single(statement, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'shipments'::regclass")).isEqualTo("0");
        }
    }

    @Test
    void generatedColumnsAreComputedAtEveryDatacenter() throws Exception {
        roundTrip("it.generated", "price, qty", List.of("12.50, 3", "0.01, NULL"));
        // Row 1 took row 102's values at dc-b.
        for (String node : List.of(A, B)) {
            assertThat(cluster.queryRows(node, "SELECT g.id::text, g.total::text FROM it.generated g ORDER BY g.id"))
                    .containsExactly(Arrays.asList("1", null), Arrays.asList("2", null), Arrays.asList("101", "37.50"),
                            Arrays.asList("102", null));
        }
    }

    @Test
    void rangesReplicateExactly() throws Exception {
        roundTrip("it.ranges", "i, n, d, t", List.of(
                "'[1,10)', '(0.5,2.25]', '[2024-02-29,2024-03-01)', '[2024-01-01 00:00:00.123456+00,2024-01-02 12:00:00+05:30)'",
                "'empty', '(,)', '(,2000-01-01]', '[-infinity,infinity]'", "NULL, NULL, NULL, NULL"));
    }

    @Test
    void moneyReplicatesExactly() throws Exception {
        roundTrip("it.money", "m", List.of("'12.34'", "'-92233720368547758.08'", "'0'"));
    }

    @Test
    void numericWithoutScaleReplicatesExactly() throws Exception {
        roundTrip("it.numerics", "n", List.of("'123456789012345678901234567890.123456789012345678901234567890'",
                "'0.000000000000000000000000000001'", "'-1e-30'", "'NaN'", "'Infinity'", "'-Infinity'", "'1.10'", "'100'"));
    }

    /**
     * Inserts each value list at dc-a (ids 1..n) and at dc-b (ids 101..), updates the first row at dc-b with the
     * second's values, and compares every column as text at both.
     */
    private static void roundTrip(String table, String columns, List<String> values) throws Exception {
        for (String node : List.of(A, B)) {
            int base = node.equals(A) ? 0 : 100;
            for (int i = 0; i < values.size(); i++) {
                cluster.execute(node, "INSERT INTO " + table + " (id, " + columns + ") VALUES (" + (base + i + 1) + ", "
                        + values.get(i) + ")");
            }
        }
        await(table + " row 1 at " + B).atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM " + table
                + " WHERE id = 1") == 1);
        cluster.execute(B, "UPDATE " + table + " SET (" + columns + ") = (SELECT " + columns + " FROM " + table
                + " WHERE id = 102) WHERE id = 1");
        String rows = "SELECT t::text FROM " + table + " t ORDER BY t.id";
        await(table + " the same at both").atMost(WAIT).untilAsserted(() -> {
            List<List<String>> atA = cluster.queryRows(A, rows);
            assertThat(atA).hasSize(2 * values.size());
            assertThat(cluster.queryRows(B, rows)).isEqualTo(atA);
            String updated = "SELECT ROW(" + columns + ")::text FROM " + table + " WHERE id = ";
            assertThat(cluster.queryString(A, updated + 1)).isEqualTo(cluster.queryString(A, updated + 102));
        });
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (var rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
