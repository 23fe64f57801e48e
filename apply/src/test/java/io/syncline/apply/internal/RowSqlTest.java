package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import io.syncline.schema.TableKey;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowSqlTest {

    /** A table with a two-column key, a quoted name, a typed column and a generated one; unique only by its key. */
    private final TableShape orders = TableShape.of(new TableKey("public", "Order \"x\"", List.of("id", "region")),
            List.of(new TableShape.Column("id", "bigint", false, false), new TableShape.Column("region", "text", false, false),
                    new TableShape.Column("note", "character varying(20)", false, false),
                    new TableShape.Column("total", "numeric(20,5)", false, false),
                    new TableShape.Column("doubled", "integer", true, false)),
            true);
    /** A table whose key is GENERATED ALWAYS AS IDENTITY. */
    private final TableShape identity = TableShape.of(new TableKey("s", "t", List.of("k")),
            List.of(new TableShape.Column("k", "integer", false, true), new TableShape.Column("v", "text", false, false)), false);

    private static final RowVersion VERSION = new RowVersion(new RowClock(42L, "dc-a"), VersionVector.of(Map.of("dc-a", 3L)));

    @Test
    void readsARowWithItsUserColumnsAsTextThenTheSixVersionColumns() {
        assertThat(orders.sql().selectRowSql()).isEqualTo("SELECT \"id\"::text, \"region\"::text, \"note\"::text,"
                + " \"total\"::text, \"doubled\"::text, syncline_hlc, syncline_node, syncline_vv::text, syncline_delta::text,"
                + " syncline_dots::text, syncline_frontier::text FROM \"public\".\"Order \"\"x\"\"\" WHERE \"id\" = ?::bigint"
                + " AND \"region\" = ?::text FOR UPDATE");
    }

    @Test
    void readsManyKeysByUnnestingOneArrayPerKeyColumn() {
        assertThat(orders.sql().selectRowsSql()).isEqualTo("SELECT k.ord, t.\"id\"::text, t.\"region\"::text,"
                + " t.\"note\"::text, t.\"total\"::text, t.\"doubled\"::text, t.syncline_hlc, t.syncline_node,"
                + " t.syncline_vv::text, t.syncline_delta::text, t.syncline_dots::text, t.syncline_frontier::text FROM ROWS FROM"
                + " (pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[])) WITH ORDINALITY AS k(k0, k1, ord) JOIN"
                + " \"public\".\"Order \"\"x\"\"\" t ON t.\"id\" = k.k0 AND t.\"region\" = k.k1 FOR UPDATE OF t");
        assertThat(orders.sql().selectTombstonesSql()).isEqualTo("SELECT k.ord, s.hlc, s.node_id, s.vv::text,"
                + " s.frontier::text FROM ROWS FROM (pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[])) WITH"
                + " ORDINALITY AS k(k0, k1, ord) JOIN syncline.tombstone s ON s.table_name = ? AND s.pk ="
                + " pg_catalog.jsonb_build_object('id', k.k0::text, 'region', k.k1::text) AND (s.collect_checkpoint IS NULL OR"
                + " s.collect_checkpoint > syncline.stable_checkpoint()) FOR UPDATE OF s");
    }

    @Test
    void locksKeysInKeyOrder() {
        assertThat(orders.sql().lockRowsSql()).isEqualTo("SELECT count(*) FROM (SELECT 1 FROM ROWS FROM"
                + " (pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[])) WITH ORDINALITY AS k(k0, k1, ord) JOIN"
                + " \"public\".\"Order \"\"x\"\"\" t ON t.\"id\" = k.k0 AND t.\"region\" = k.k1 ORDER BY t.\"id\", t.\"region\""
                + " FOR UPDATE OF t) locked");
        assertThat(orders.sql().lockTombstonesSql()).isEqualTo("SELECT count(*) FROM (SELECT 1 FROM ROWS FROM"
                + " (pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[])) WITH ORDINALITY AS k(k0, k1, ord) JOIN"
                + " syncline.tombstone s ON s.table_name = ? AND s.pk = pg_catalog.jsonb_build_object('id', k.k0::text,"
                + " 'region', k.k1::text) ORDER BY s.pk FOR UPDATE OF s) locked");
    }

    @Test
    void aTombstoneIsKeyedByTheKeyColumnsAsTextAndAStableOneCountsAsAbsent() {
        String insert = "INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv, frontier) VALUES (?,"
                + " pg_catalog.jsonb_build_object('k', (?::integer)::text), ?, ?, ?::jsonb, ?::jsonb) ON CONFLICT (table_name, pk)"
                + " DO UPDATE SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, frontier = EXCLUDED.frontier,"
                + " deleted_at = now(), collect_checkpoint = NULL";
        assertThat(identity.sql().upsertTombstoneSql()).isEqualTo(insert);
        assertThat(identity.sql().insertTombstoneIfAbsentSql()).isEqualTo(insert + " WHERE NOT (syncline.tombstone"
                + ".collect_checkpoint IS NULL OR syncline.tombstone.collect_checkpoint > syncline.stable_checkpoint())");
        assertThat(identity.sql().selectTombstoneSql()).isEqualTo("SELECT hlc, node_id, vv::text, frontier::text FROM"
                + " syncline.tombstone WHERE table_name = ? AND pk = pg_catalog.jsonb_build_object('k', (?::integer)::text) AND"
                + " (syncline.tombstone.collect_checkpoint IS NULL OR syncline.tombstone.collect_checkpoint >"
                + " syncline.stable_checkpoint()) FOR UPDATE");
        assertThat(identity.sql().updateTombstoneVersionSql()).isEqualTo("UPDATE syncline.tombstone SET hlc = ?, node_id = ?,"
                + " vv = ?::jsonb, frontier = ?::jsonb, collect_checkpoint = NULL WHERE table_name = ? AND pk ="
                + " pg_catalog.jsonb_build_object('k', (?::integer)::text)");
    }

    @Test
    void writesARowWithCastsToTheDeclaredTypesAndLeavesAKeyThatAppearedAlone() {
        assertThat(orders.sql().insertSql(List.of("id", "region", "note"))).isEqualTo("INSERT INTO \"public\".\"Order \"\"x\"\"\""
                + " (\"id\", \"region\", \"note\", syncline_hlc, syncline_node, syncline_vv, syncline_delta, syncline_dots,"
                + " syncline_frontier) VALUES (?::bigint, ?::text, ?::character varying(20), ?, ?, ?::jsonb, ?::jsonb, ?::jsonb,"
                + " ?::jsonb) ON CONFLICT (\"id\", \"region\") DO NOTHING");
        assertThat(identity.sql().insertSql(List.of("k", "v"))).isEqualTo("INSERT INTO \"s\".\"t\" (\"k\", \"v\", syncline_hlc,"
                + " syncline_node, syncline_vv, syncline_delta, syncline_dots, syncline_frontier) OVERRIDING SYSTEM VALUE VALUES"
                + " (?::integer, ?::text, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb) ON CONFLICT (\"k\") DO NOTHING");
        assertThat(orders.sql().updateSql(List.of("note", "total"))).isEqualTo("UPDATE \"public\".\"Order \"\"x\"\"\" SET"
                + " \"note\" = ?::character varying(20), \"total\" = ?::numeric(20,5), syncline_hlc = ?, syncline_node = ?,"
                + " syncline_vv = ?::jsonb, syncline_delta = ?::jsonb, syncline_dots = ?::jsonb, syncline_frontier = ?::jsonb"
                + " WHERE \"id\" = ?::bigint AND \"region\" = ?::text");
        assertThat(orders.sql().deleteRowSql()).isEqualTo("DELETE FROM \"public\".\"Order \"\"x\"\"\" WHERE \"id\" = ?::bigint"
                + " AND \"region\" = ?::text");
        assertThat(identity.sql().updateRowVersionSql()).isEqualTo("UPDATE \"s\".\"t\" SET syncline_hlc = ?, syncline_node = ?,"
                + " syncline_vv = ?::jsonb, syncline_delta = ?::jsonb, syncline_dots = ?::jsonb, syncline_frontier = ?::jsonb"
                + " WHERE \"k\" = ?::integer");
    }

    @Test
    void writesManyRowsOverOneTextArrayPerColumn() {
        assertThat(identity.sql().insertRowsSql(List.of("k", "v"))).isEqualTo("INSERT INTO \"s\".\"t\" (\"k\", \"v\","
                + " syncline_hlc, syncline_node, syncline_vv, syncline_delta, syncline_dots, syncline_frontier) OVERRIDING SYSTEM"
                + " VALUE SELECT v.c0::integer, v.c1::text, v.syncline_hlc::bigint, v.syncline_node::text, v.syncline_vv::jsonb,"
                + " v.syncline_delta::jsonb, v.syncline_dots::jsonb, v.syncline_frontier::jsonb FROM ROWS FROM"
                + " (pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]),"
                + " pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]),"
                + " pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[])) AS v(c0, c1, syncline_hlc, syncline_node,"
                + " syncline_vv, syncline_delta, syncline_dots, syncline_frontier) ON CONFLICT (\"k\") DO NOTHING");
        assertThat(identity.sql().updateRowsSql(List.of("v"))).isEqualTo("UPDATE \"s\".\"t\" AS t SET \"v\" = v.c0::text,"
                + " syncline_hlc = v.syncline_hlc::bigint, syncline_node = v.syncline_node::text, syncline_vv ="
                + " v.syncline_vv::jsonb, syncline_delta = v.syncline_delta::jsonb, syncline_dots = v.syncline_dots::jsonb,"
                + " syncline_frontier = v.syncline_frontier::jsonb FROM ROWS FROM (pg_catalog.unnest(?::text[]),"
                + " pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]),"
                + " pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]),"
                + " pg_catalog.unnest(?::text[])) AS v(k0, c0, syncline_hlc, syncline_node, syncline_vv, syncline_delta,"
                + " syncline_dots, syncline_frontier) WHERE t.\"k\" = v.k0::integer");
    }

    @Test
    void anUpdateBindsTheSentValuesThenTheVersionThenTheKey() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", "7");
        values.put("region", "eu");
        values.put("note", null);
        values.put("total", "1.50000");
        values.put("doubled", "14");
        RowChange change = new RowChange(orders.name(), Operation.UPDATE, Map.of("id", "7", "region", "eu"), null, values,
                null, VERSION);
        Recorded recorded = new Recorded();
        orders.sql().updateRow(recorded, change, VERSION, RowMetadata.EMPTY, List.of());
        assertThat(recorded.sql).isEqualTo(orders.sql().updateSql(List.of("note", "total")));
        assertThat(recorded.parameters).containsExactly("1:null", "2:1.50000", "3:42", "4:dc-a", "5:" + Json.vector(VERSION.vector()),
                "6:" + Json.counters(RowMetadata.EMPTY), "7:" + Json.dots(RowMetadata.EMPTY), "8:" + Json.frontier(List.of()),
                "9:7", "10:eu");
    }

    @Test
    void anInsertBindsTheKeyAndSentValuesInTableOrderThenTheVersion() throws Exception {
        RowChange change = new RowChange(identity.name(), Operation.INSERT, Map.of("k", "5"), null, Map.of("k", "5", "v", "x"),
                null, VERSION);
        Recorded recorded = new Recorded();
        identity.sql().insertRow(recorded, change, VERSION, RowMetadata.EMPTY, List.of());
        assertThat(recorded.parameters).startsWith("1:5", "2:x", "3:42", "4:dc-a").hasSize(8);
    }

    @Test
    void aTombstoneVersionBindsTheVersionThenTheTableThenTheKey() throws Exception {
        Recorded recorded = new Recorded();
        identity.sql().updateTombstoneVersion(recorded, Map.of("k", "5"), VERSION, List.of());
        assertThat(recorded.parameters).containsExactly("1:42", "2:dc-a", "3:" + Json.vector(VERSION.vector()),
                "4:" + Json.frontier(List.of()), "5:s.t", "6:5");
        recorded.parameters.clear();
        identity.sql().upsertTombstone(recorded, Map.of("k", "5"), VERSION, List.of());
        assertThat(recorded.parameters).containsExactly("1:s.t", "2:5", "3:42", "4:dc-a", "5:" + Json.vector(VERSION.vector()),
                "6:" + Json.frontier(List.of()));
    }

    @Test
    void keyArraysQuoteEveryElement() {
        assertThat(RowSql.keyArray(List.of(Map.of("k", "a\"b"), Map.of("k", "c\\d"), Map.of("k", "")), "k"))
                .isEqualTo("{\"a\\\"b\",\"c\\\\d\",\"\"}");
    }

    /** Prepares a statement that records the SQL and every parameter bound, as "index:value". */
    private static final class Recorded implements PreparedStatements {
        String sql;
        final List<String> parameters = new ArrayList<>();

        @Override
        public PreparedStatement prepared(String sql) {
            this.sql = sql;
            return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                    (proxy, method, args) -> {
                        if (method.getName().startsWith("set") && args != null && args.length >= 2) {
                            Object value = method.getName().equals("setNull") ? null : args[1];
                            parameters.add(args[0] + ":" + value);
                        }
                        return null;
                    });
        }
    }
}
