package io.syncline.connector.internal;

import static io.syncline.connector.internal.Events.json;
import static io.syncline.connector.internal.Events.typed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTimestamp;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.VersionVector;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class ChangeConverterTest {

    private static final String PH = ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER;
    private final ChangeConverter converter = new ChangeConverter("dc-a",
            Map.of("public.t", List.of("id"), "public.two", List.of("b", "a")), PH);

    private RowChange convert(String op, Map<String, Schema> columns, Map<String, Object> values) {
        Struct key = Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 7L));
        Struct after = Events.versioned(columns, values, 42L << 16, "dc-a", "{\"dc-a\": 3, \"dc-b\": 1}");
        return converter.convert(key, Events.envelope("public.t", op, after, 100, null)).orElseThrow();
    }

    private String single(Schema schema, Object value) {
        Map<String, Schema> columns = new LinkedHashMap<>();
        columns.put("id", Schema.INT64_SCHEMA);
        columns.put("v", schema);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 7L);
        values.put("v", value);
        return convert("c", columns, values).values().get("v");
    }

    @Test
    void insertCarriesKeyValuesAndVersionWithoutMetadataColumns() {
        RowChange change = convert("c", Map.of("id", Schema.INT64_SCHEMA, "name", Schema.OPTIONAL_STRING_SCHEMA),
                Map.of("id", 7L, "name", "x"));
        assertThat(change.operation()).isEqualTo(Operation.INSERT);
        assertThat(change.table()).isEqualTo("public.t");
        assertThat(change.key()).containsExactly(Map.entry("id", "7"));
        assertThat(change.values()).containsOnlyKeys("id", "name");
        assertThat(change.version().clock()).isEqualTo(new RowClock(42L << 16, "dc-a"));
        assertThat(change.version().vector()).isEqualTo(VersionVector.of(Map.of("dc-a", 3L, "dc-b", 1L)));
        assertThat(convert("u", Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 7L)).operation()).isEqualTo(Operation.UPDATE);
    }

    @Test
    void theSourceTypeOfEachColumnTravelsWithTheChange() {
        Map<String, Schema> columns = new LinkedHashMap<>();
        columns.put("id", Schema.INT64_SCHEMA);
        columns.put("price", new org.apache.kafka.connect.data.SchemaBuilder(Schema.Type.STRING).optional()
                .parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, "NUMERIC")
                .parameter(ChangeConverter.SOURCE_LENGTH_PARAMETER, "10")
                .parameter(ChangeConverter.SOURCE_SCALE_PARAMETER, "2").build());
        columns.put("label", new org.apache.kafka.connect.data.SchemaBuilder(Schema.Type.STRING).optional()
                .parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, "VARCHAR")
                .parameter(ChangeConverter.SOURCE_LENGTH_PARAMETER, "20").build());
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 7L);
        values.put("price", "1.50");
        values.put("label", "x");

        RowChange change = convert("c", columns, values);

        assertThat(change.columnTypes()).containsExactly(Map.entry("price", "NUMERIC(10,2)"), Map.entry("label", "VARCHAR(20,0)"));
    }

    @Test
    void numbersAndBooleansPrintAsPostgresText() {
        assertThat(single(Schema.OPTIONAL_INT16_SCHEMA, (short) -3)).isEqualTo("-3");
        assertThat(single(Schema.OPTIONAL_INT32_SCHEMA, 2147483647)).isEqualTo("2147483647");
        assertThat(single(Schema.OPTIONAL_INT64_SCHEMA, Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "NUMERIC"), "1.50")).isEqualTo("1.50");
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "NUMERIC"), "NAN")).isEqualTo("NaN");
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "NUMERIC"), "POSITIVE_INFINITY")).isEqualTo("Infinity");
        assertThat(single(Schema.OPTIONAL_FLOAT32_SCHEMA, 1.1f)).isEqualTo("1.1");
        assertThat(single(Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN)).isEqualTo("NaN");
        assertThat(single(Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(single(Schema.OPTIONAL_FLOAT64_SCHEMA, 1e20)).isEqualTo("1e+20");
        assertThat(single(Schema.OPTIONAL_BOOLEAN_SCHEMA, true)).isEqualTo("true");
        assertThat(single(Schema.OPTIONAL_BOOLEAN_SCHEMA, false)).isEqualTo("false");
    }

    @Test
    void stringsBinaryUuidAndJsonKeepTheirPostgresForm() {
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "TEXT"), "héllo \"q\"")).isEqualTo("héllo \"q\"");
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "BPCHAR"), "ab   ")).isEqualTo("ab");
        assertThat(single(typed(Schema.OPTIONAL_STRING_SCHEMA, "BYTEA"), "01FF")).isEqualTo("\\x01ff");
        assertThat(single(SchemaBuilder.string().name("io.debezium.data.Uuid").optional().build(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(single(json(), "{\"a\": [1, 2]}")).isEqualTo("{\"a\": [1, 2]}");
        assertThat(single(Schema.OPTIONAL_STRING_SCHEMA, null)).isNull();
    }

    @Test
    void temporalValuesPrintAsPostgresTextInUtc() {
        Schema date = io.debezium.time.Date.builder().optional().build();
        assertThat(single(date, (int) LocalDate.of(2024, 2, 29).toEpochDay())).isEqualTo("2024-02-29");
        assertThat(single(date, (int) LocalDate.of(-43, 3, 15).toEpochDay())).isEqualTo("0044-03-15 BC");
        Schema ts = MicroTimestamp.builder().optional().build();
        assertThat(single(ts, 1_700_000_000_123_456L)).isEqualTo("2023-11-14 22:13:20.123456");
        assertThat(single(ts, -1L)).isEqualTo("1969-12-31 23:59:59.999999");
        Schema tstz = ZonedTimestamp.builder().optional().build();
        assertThat(single(tstz, "2024-01-02T03:04:05.1Z")).isEqualTo("2024-01-02 03:04:05.1+00");
        assertThat(single(tstz, "infinity")).isEqualTo("infinity");
        assertThat(single(MicroTime.builder().optional().build(), 3_600_000_001L)).isEqualTo("01:00:00.000001");
        assertThat(single(io.debezium.time.Interval.builder().optional().build(), "P1Y2M3DT4H5M6.78S"))
                .isEqualTo("1 year 2 mons 3 days 04:05:06.78");
    }

    @Test
    void arraysBecomeArrayLiteralsWithNullElements() {
        Schema textArray = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, "_TEXT").build();
        assertThat(single(textArray, Arrays.asList("a b", null, "x"))).isEqualTo("{\"a b\",NULL,x}");
        Schema boolArray = SchemaBuilder.array(Schema.OPTIONAL_BOOLEAN_SCHEMA).optional().build();
        assertThat(single(boolArray, Arrays.asList(true, false, null))).isEqualTo("{t,f,NULL}");
        Schema byteaArray = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, "_BYTEA").build();
        assertThat(single(byteaArray, List.of("01"))).isEqualTo("{\"\\\\x01\"}");
        Schema tstzArray = SchemaBuilder.array(ZonedTimestamp.builder().optional().build()).optional().build();
        assertThat(single(tstzArray, List.of("2024-01-01T10:00:00Z"))).isEqualTo("{\"2024-01-01 10:00:00+00\"}");
        Schema intArray = SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build();
        assertThat(single(intArray, List.of(1, 2))).isEqualTo("{1,2}");
        Schema jsonArray = SchemaBuilder.array(json()).optional().build();
        assertThat(single(jsonArray, List.of("{\"a\": 1}"))).isEqualTo("{\"{\\\"a\\\": 1}\"}");
    }

    @Test
    void unchangedToastedValuesGoToUnchangedColumns() {
        Map<String, Schema> columns = new LinkedHashMap<>();
        columns.put("id", Schema.INT64_SCHEMA);
        columns.put("big", Schema.OPTIONAL_STRING_SCHEMA);
        columns.put("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build());
        columns.put("blob", typed(Schema.OPTIONAL_STRING_SCHEMA, "BYTEA"));
        columns.put("small", Schema.OPTIONAL_STRING_SCHEMA);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 7L);
        values.put("big", PH);
        values.put("tags", List.of(PH));
        values.put("blob", PH);
        values.put("small", "s");
        RowChange change = convert("u", columns, values);
        assertThat(change.unchangedColumns()).containsExactlyInAnyOrder("big", "tags", "blob");
        assertThat(change.values()).containsOnlyKeys("id", "small");
    }

    @Test
    void userDeletesAndTruncatesAreNotReplicated() {
        Struct after = null;
        assertThat(converter.convert(null, Events.envelope("public.t", "d", after, 1, null))).isEmpty();
        assertThat(converter.convert(null, Events.envelope("public.t", "t", after, 1, null))).isEmpty();
    }

    @Test
    void tombstoneRowBecomesDeleteOfItsTableWithKeyInKeyOrder() {
        Map<String, Schema> columns = new LinkedHashMap<>();
        columns.put("table_name", Schema.STRING_SCHEMA);
        columns.put("pk", json());
        columns.put("hlc", Schema.INT64_SCHEMA);
        columns.put("node_id", Schema.STRING_SCHEMA);
        columns.put("vv", json());
        columns.put("deleted_at", ZonedTimestamp.builder().build());
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("table_name", "public.two");
        values.put("pk", "{\"a\": \"1\", \"b\": \"x y\"}");
        values.put("hlc", 99L << 16);
        values.put("node_id", "dc-a");
        values.put("vv", "{\"dc-a\": 5}");
        values.put("deleted_at", "2024-01-01T00:00:00Z");
        Struct after = Events.row(columns, values);
        for (String op : List.of("c", "u")) {
            RowChange change = converter.convert(null, Events.envelope("syncline.tombstone", op, after, 3, null)).orElseThrow();
            assertThat(change.operation()).isEqualTo(Operation.DELETE);
            assertThat(change.table()).isEqualTo("public.two");
            assertThat(change.key()).containsExactly(Map.entry("b", "x y"), Map.entry("a", "1"));
            assertThat(change.values()).isEmpty();
            assertThat(change.version().clock()).isEqualTo(new RowClock(99L << 16, "dc-a"));
            assertThat(change.version().vector()).isEqualTo(VersionVector.of(Map.of("dc-a", 5L)));
        }
        assertThat(converter.convert(null, Events.envelope("syncline.tombstone", "d", null, 3, null))).isEmpty();
    }

    @Test
    void tableWithoutRowVersionColumnsIsRejected() {
        Struct after = Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 1L));
        assertThatThrownBy(() -> converter.convert(null, Events.envelope("public.t", "c", after, 1, null)))
                .isInstanceOf(UnconvertibleValueException.class).hasMessageContaining("syncline init");
    }
}
