package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.ApplyListener;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.core.codec.MetadataJson;
import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.it.env.TestEnvironments;
import io.syncline.it.policy.FlakyResolver;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.PostgresServer;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Conflict policies against real PostgreSQL, three databases: the row triggers record the merge
 * metadata of local writes (delta contributions, column dots), the applier merges concurrent
 * changes with it, and every database ends with the same row. Changes are captured the way the
 * capture sees them (the committed row with its metadata columns) and applied cross-wise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConflictPolicyIT {

    private static final ConfigLocation HERE = new ConfigLocation(Path.of("it.yaml"), 1, 1);
    private static final String DDL = """
            CREATE TABLE counter (id int PRIMARY KEY, hits bigint NOT NULL DEFAULT 0, label text);
            CREATE TABLE profile (id int PRIMARY KEY, email text, phone text, visits int);
            CREATE TABLE note (id int PRIMARY KEY, body text);
            CREATE TABLE stock (id int PRIMARY KEY, quantity int NOT NULL CHECK (quantity >= 0));
            """;
    private static final List<TableConfig> TABLES = List.of(
            new TableConfig(new TableName("public", "counter"), ConflictRule.of(ConflictPolicy.LWW),
                    List.of(new ColumnRule("hits", ConflictRule.of(ConflictPolicy.DELTA), HERE)), HERE),
            new TableConfig(new TableName("public", "profile"), ConflictRule.of(ConflictPolicy.COLUMN_MERGE),
                    List.of(new ColumnRule("visits", ConflictRule.of(ConflictPolicy.MAX), HERE)), HERE),
            new TableConfig(new TableName("public", "note"),
                    new ConflictRule(ConflictPolicy.CUSTOM, List.of(), Optional.of(FlakyResolver.class.getName())), List.of(), HERE),
            new TableConfig(new TableName("public", "stock"), ConflictRule.of(ConflictPolicy.LWW),
                    List.of(new ColumnRule("quantity", ConflictRule.of(ConflictPolicy.DELTA), HERE)), HERE));

    private Environment environment;
    private PostgresServer server;
    private final List<Db> nodes = new ArrayList<>();

    @BeforeAll
    void start() throws SQLException {
        environment = TestEnvironments.create();
        server = environment.startPostgres("policy");
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = admin.createStatement()) {
            for (String db : List.of("dc_a", "dc_b", "dc_c")) {
                statement.execute("CREATE DATABASE " + db);
            }
        }
        for (String id : List.of("dc-a", "dc-b", "dc-c")) {
            nodes.add(new Db(id, "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + id.replace('-', '_')));
        }
    }

    @AfterAll
    void stop() {
        for (Db node : nodes) {
            node.close();
        }
        if (environment != null) {
            environment.close();
        }
    }

    @BeforeEach
    void clean() throws SQLException {
        for (Db node : nodes) {
            // Every node is emptied alike, so a TRUNCATE at each is what the test means.
            node.exec("SET syncline.local_truncate = on");
            node.exec("TRUNCATE counter, profile, note, stock, syncline.tombstone, syncline.conflict_log, syncline.applied_position,"
                    + " syncline.link_offset, syncline.dead_letter");
        }
        FlakyResolver.broken = true;
    }

    @Test
    void concurrentIncrementsAtThreeNodesAllCount() throws Exception {
        Db a = nodes.get(0);
        Db b = nodes.get(1);
        Db c = nodes.get(2);
        SourceTransaction insert = a.write("INSERT INTO counter VALUES (1, 100, 'x')", "counter", Operation.INSERT, 1);
        b.apply(insert);
        c.apply(insert);

        SourceTransaction atA = a.write("UPDATE counter SET hits = hits + 5, label = 'a' WHERE id = 1", "counter", Operation.UPDATE, 1);
        SourceTransaction atB = b.write("UPDATE counter SET hits = hits + 7 WHERE id = 1", "counter", Operation.UPDATE, 1);
        SourceTransaction atC = c.write("UPDATE counter SET hits = hits - 2, label = 'c' WHERE id = 1", "counter", Operation.UPDATE, 1);
        a.apply(atC);
        a.apply(atB);
        b.apply(atA);
        b.apply(atC);
        c.apply(atB);
        c.apply(atA);

        for (Db node : nodes) {
            assertThat(node.queryOne("SELECT hits FROM counter WHERE id = 1")).as(node.id).isEqualTo("110");
        }
        assertThat(b.dump("counter")).isEqualTo(a.dump("counter")).isEqualTo(c.dump("counter"));
        for (Db node : nodes) {
            assertThat(node.conflictLog()).as(node.id).hasSize(2).allSatisfy(line -> assertThat(line)
                    .startsWith("public.counter {\"id\": \"1\"} update_update lww (hits=delta)"));
        }
    }

    @Test
    void concurrentUpdatesOfDifferentColumnsBothSurvive() throws Exception {
        Db a = nodes.get(0);
        Db b = nodes.get(1);
        SourceTransaction insert = a.write("INSERT INTO profile VALUES (1, 'old@x', '000', 1)", "profile", Operation.INSERT, 1);
        b.apply(insert);

        SourceTransaction atA = a.write("UPDATE profile SET email = 'new@x', visits = 5 WHERE id = 1", "profile", Operation.UPDATE, 1);
        SourceTransaction atB = b.write("UPDATE profile SET phone = '555', visits = 3 WHERE id = 1", "profile", Operation.UPDATE, 1);
        a.apply(atB);
        b.apply(atA);

        for (Db node : List.of(a, b)) {
            assertThat(node.queryOne("SELECT email || ' ' || phone || ' ' || visits FROM profile WHERE id = 1"))
                    .as(node.id).isEqualTo("new@x 555 5");
            assertThat(node.conflictLog()).containsExactly("public.profile {\"id\": \"1\"} update_update column-merge (visits=max) merged");
        }
        assertThat(b.dump("profile")).isEqualTo(a.dump("profile"));
    }

    @Test
    void aFailingCustomResolverParksTheChangeAndRetryAppliesItAfterTheFix() throws Exception {
        Db a = nodes.get(0);
        Db b = nodes.get(1);
        SourceTransaction insert = a.write("INSERT INTO note VALUES (1, 'start')", "note", Operation.INSERT, 1);
        b.apply(insert);
        b.write("UPDATE note SET body = 'b' WHERE id = 1", "note", Operation.UPDATE, 1);
        a.exec("INSERT INTO counter VALUES (7, 1, 'same transaction')");
        SourceTransaction atA = a.write(List.of("UPDATE note SET body = 'a' WHERE id = 1"),
                List.of(spec("note", Operation.UPDATE, 1), spec("counter", Operation.INSERT, 7)));

        ApplyResult result = b.apply(atA);

        assertThat(result.parkedChanges()).isEqualTo(1);
        assertThat(b.queryOne("SELECT body FROM note WHERE id = 1")).isEqualTo("b");
        assertThat(b.queryOne("SELECT label FROM counter WHERE id = 7")).isEqualTo("same transaction");
        assertThat(b.queryOne("SELECT count(*) || ' ' || min(error) FROM syncline.dead_letter"))
                .startsWith("1 custom:" + FlakyResolver.class.getName() + " threw java.lang.IllegalStateException: resolver bug");
        assertThat(b.conflictLog()).containsExactly("public.note {\"id\": \"1\"} update_update custom:"
                + FlakyResolver.class.getName() + " parked");
        assertThat(b.queryOne("SELECT coalesce(resolved_row::text, 'no row') || ' ' || coalesce(resolved_version::text, 'no version')"
                + " || ' ' || (local_row ->> 'body') || ' ' || (remote_row ->> 'body') || ' ' || error FROM syncline.conflict_log"))
                .startsWith("no row no version b a custom:" + FlakyResolver.class.getName() + " threw java.lang.IllegalStateException");
        assertThat(b.queryOne("SELECT position FROM syncline.applied_position WHERE origin_node = 'dc-a'"))
                .isEqualTo(Long.toString(atA.originPosition()));

        FlakyResolver.broken = false;
        TransactionApplier.RetryResult retry = b.applier().retryParked(null);

        assertThat(retry.applied()).isEqualTo(1);
        assertThat(retry.stillParked()).isZero();
        assertThat(b.queryOne("SELECT count(*) FROM syncline.dead_letter")).isEqualTo("0");
        assertThat(b.queryOne("SELECT body FROM note WHERE id = 1")).isEqualTo("b");
        assertThat(b.conflictLog()).hasSize(2).last().asString().endsWith(" local");
    }

    @Test
    void aMergedRowTheDatabaseRefusesIsParkedAndTheRestOfItsTransactionApplies() throws Exception {
        Db a = nodes.get(0);
        Db b = nodes.get(1);
        twoStockRows(a, b);
        changeStock(b, 1, -1);
        // The last unit sold at both places: merged, the two sales leave -1, which the CHECK refuses.
        SourceTransaction atA = changeStock(a, 1, -1, 2, 3);

        ApplyResult result = b.apply(atA);

        assertThat(result.parkedChanges()).isEqualTo(1);
        assertThat(b.queryOne("SELECT string_agg(id || '=' || quantity, ' ' ORDER BY id) FROM stock")).isEqualTo("1=0 2=8");
        assertThat(b.queryOne("SELECT count(*) || ' ' || min(error) FROM syncline.dead_letter"))
                .startsWith("1 the database refused the row resolved by lww (quantity=delta): SQLSTATE 23514");
        // The refused merge is logged as parked, not as resolved.
        assertThat(b.conflictLog()).containsExactly("public.stock {\"id\": \"1\"} update_update lww (quantity=delta) parked");
        assertThat(b.queryOne("SELECT position FROM syncline.applied_position WHERE origin_node = 'dc-a'"))
                .isEqualTo(Long.toString(atA.originPosition()));

        TransactionApplier.RetryResult retry = b.applier().retryParked(null);

        assertThat(retry.stillParked()).isEqualTo(1);
        assertThat(b.queryOne("SELECT attempts || ' ' || error FROM syncline.dead_letter"))
                .startsWith("2 the database refused the row resolved by lww (quantity=delta): SQLSTATE 23514");
        assertThat(b.queryOne("SELECT string_agg(id || '=' || quantity, ' ' ORDER BY id) FROM stock")).isEqualTo("1=0 2=8");
    }

    @Test
    void aConflictResolvedBeforeARefusedMergeIsLoggedOnce() throws Exception {
        Db a = nodes.get(0);
        Db b = nodes.get(1);
        twoStockRows(a, b);
        changeStock(b, 2, 10, 1, -1);
        // Both rows written at both places: row 2 merges, row 1's merge (-1) is refused and parked,
        // and the target transaction is applied a second time without the merge of row 1.
        SourceTransaction atA = changeStock(a, 2, 3, 1, -1);

        ApplyResult result = b.apply(atA);

        assertThat(result.parkedChanges()).isEqualTo(1);
        assertThat(b.queryOne("SELECT string_agg(id || '=' || quantity, ' ' ORDER BY id) FROM stock")).isEqualTo("1=0 2=18");
        assertThat(b.conflictLog()).containsExactlyInAnyOrder(
                "public.stock {\"id\": \"2\"} update_update lww (quantity=delta) merged",
                "public.stock {\"id\": \"1\"} update_update lww (quantity=delta) parked");
    }

    /** Stock rows 1 (quantity 1) and 2 (quantity 5), inserted at {@code a} and applied at {@code b}. */
    private static void twoStockRows(Db a, Db b) throws Exception {
        b.apply(a.write(List.of("INSERT INTO stock VALUES (1, 1), (2, 5)"), List.of(spec("stock", Operation.INSERT, 1),
                spec("stock", Operation.INSERT, 2))));
    }

    /** One transaction at {@code node} that adds to the quantity of stock rows: id, delta, id, delta, ... in that order. */
    private static SourceTransaction changeStock(Db node, int... idsAndDeltas) throws SQLException {
        List<String> statements = new ArrayList<>();
        List<Spec> changes = new ArrayList<>();
        for (int i = 0; i < idsAndDeltas.length; i += 2) {
            statements.add("UPDATE stock SET quantity = quantity + (" + idsAndDeltas[i + 1] + ") WHERE id = " + idsAndDeltas[i]);
            changes.add(spec("stock", Operation.UPDATE, idsAndDeltas[i]));
        }
        return node.write(statements, changes);
    }

    private record Spec(String table, Operation operation, int id) {}

    private static Spec spec(String table, Operation operation, int id) {
        return new Spec(table, operation, id);
    }

    /** One node's database, its applier and a capture stand-in. */
    private final class Db implements AutoCloseable {
        final String id;
        final HikariDataSource pool;
        final Connection app;
        private TransactionApplier applier;
        private long position = 1_000;

        Db(String id, String url) throws SQLException {
            this.id = id;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(server.user());
            config.setPassword(server.password());
            config.setMaximumPoolSize(2);
            config.setPoolName("policy-" + id);
            pool = new HikariDataSource(config);
            app = DriverManager.getConnection(url, server.user(), server.password());
            exec(DDL);
            new ReplicationSchemaInstaller(id).installConfigured(app, TABLES);
        }

        TransactionApplier applier() {
            if (applier == null) {
                applier = new TransactionApplier(id, pool, ConflictPolicies.of(TABLES, ConflictRule.of(ConflictPolicy.LWW),
                        getClass().getClassLoader()), ApplyListener.NONE, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
            }
            return applier;
        }

        ApplyResult apply(SourceTransaction transaction) throws Exception {
            return applier().apply(List.of(transaction), transaction.originNode(), 0);
        }

        SourceTransaction write(String sql, String table, Operation operation, int key) throws SQLException {
            return write(List.of(sql), List.of(spec(table, operation, key)));
        }

        SourceTransaction write(List<String> statements, List<Spec> changes) throws SQLException {
            for (String sql : statements) {
                exec(sql);
            }
            List<RowChange> rows = new ArrayList<>();
            for (Spec spec : changes) {
                rows.add(captured(spec));
            }
            position += 10;
            return new SourceTransaction(id, position, System.currentTimeMillis() * 1000, position, List.of(id), rows);
        }

        private RowChange captured(Spec spec) throws SQLException {
            String sql = "SELECT to_jsonb(t) - 'syncline_hlc' - 'syncline_node' - 'syncline_vv' - 'syncline_delta'"
                    + " - 'syncline_dots' - 'syncline_frontier', syncline_hlc, syncline_node, syncline_vv::text,"
                    + " syncline_delta::text, syncline_dots::text FROM " + spec.table() + " t WHERE id = " + spec.id();
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                assertThat(rs.next()).isTrue();
                Map<String, String> values = new LinkedHashMap<>();
                com.fasterxml.jackson.databind.JsonNode row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(1));
                row.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
                Map<String, Long> vv = new TreeMap<>();
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(4)).fields()
                        .forEachRemaining(e -> vv.put(e.getKey(), e.getValue().asLong()));
                RowVersion version = new RowVersion(new RowClock(rs.getLong(2), rs.getString(3)), VersionVector.of(vv));
                return new RowChange("public." + spec.table(), spec.operation(), Map.of("id", Integer.toString(spec.id())), null,
                        values, null, version, MetadataJson.parse(rs.getString(5), rs.getString(6)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        void exec(String sql) throws SQLException {
            try (Statement statement = app.createStatement()) {
                statement.execute(sql);
            }
        }

        String queryOne(String sql) throws SQLException {
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                assertThat(rs.next()).as("a row from %s", sql).isTrue();
                return rs.getString(1);
            }
        }

        List<String> dump(String table) throws SQLException {
            List<String> rows = new ArrayList<>();
            try (Statement statement = app.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT to_jsonb(t)::text FROM " + table + " t ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        }

        List<String> conflictLog() throws SQLException {
            List<String> lines = new ArrayList<>();
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery(
                    "SELECT table_name, pk::text, conflict_type, rule, winner FROM syncline.conflict_log ORDER BY id")) {
                while (rs.next()) {
                    lines.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                            + rs.getString(5));
                }
            }
            return lines;
        }

        @Override
        public void close() {
            pool.close();
            try {
                app.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }
}
