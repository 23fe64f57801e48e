package io.syncline.connector.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** Hand-built Debezium PostgreSQL change events and transaction metadata records, shaped as Debezium 3.6 emits them. */
final class Events {

    static final String NODE = "dc-a";
    static final String TX_TOPIC = DebeziumSettings.transactionTopic(NODE);

    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("origin", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    static final Schema TX_VALUE = SchemaBuilder.struct()
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    private Events() {}

    static Schema json() {
        return SchemaBuilder.string().name("io.debezium.data.Json").optional().build();
    }

    static Schema typed(Schema base, String sourceType) {
        SchemaBuilder b = new SchemaBuilder(base.type()).optional().parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, sourceType);
        if (base.name() != null) {
            b.name(base.name());
        }
        return b.build();
    }

    /** A row struct of the given columns (name -> schema) and values. */
    static Struct row(Map<String, Schema> columns, Map<String, Object> values) {
        SchemaBuilder b = SchemaBuilder.struct().optional();
        columns.forEach(b::field);
        Struct s = new Struct(b.build());
        values.forEach(s::put);
        return s;
    }

    /** A user-table row with the row-version and (empty) merge metadata columns. */
    static Struct versioned(Map<String, Schema> columns, Map<String, Object> values, long hlc, String node, String vv) {
        Map<String, Schema> c = new LinkedHashMap<>(columns);
        c.put("syncline_hlc", Schema.INT64_SCHEMA);
        c.put("syncline_node", Schema.STRING_SCHEMA);
        c.put("syncline_vv", json());
        c.put("syncline_delta", json());
        c.put("syncline_dots", json());
        Map<String, Object> v = new LinkedHashMap<>(values);
        v.put("syncline_hlc", hlc);
        v.put("syncline_node", node);
        v.put("syncline_vv", vv);
        v.put("syncline_delta", "{}");
        v.put("syncline_dots", "{}");
        return row(c, v);
    }

    static Struct envelope(String table, String op, Struct after, long txId, String origin) {
        Schema rowSchema = after != null ? after.schema() : SchemaBuilder.struct().optional().build();
        Schema schema = SchemaBuilder.struct()
                .field("before", rowSchema)
                .field("after", rowSchema)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .build();
        int dot = table.indexOf('.');
        Struct source = new Struct(SOURCE).put("schema", table.substring(0, dot)).put("table", table.substring(dot + 1))
                .put("txId", txId).put("ts_ms", 1_700_000_000_123L).put("ts_us", 1_700_000_000_123_456L).put("origin", origin);
        Struct value = new Struct(schema).put("source", source).put("op", op);
        if (after != null) {
            value.put("after", after);
        }
        return value;
    }

    static SourceRecord change(String table, String op, Struct key, Struct after, long txId, String origin) {
        Struct value = envelope(table, op, after, txId, origin);
        return new SourceRecord(Map.of("server", "x"), Map.of("lsn", 1L), "syncline_dc_a." + table, null,
                key == null ? null : key.schema(), key, value.schema(), value);
    }

    static SourceRecord begin(long txId, long lsn) {
        Struct v = new Struct(TX_VALUE).put("status", "BEGIN").put("id", txId + ":" + lsn).put("ts_ms", 1L);
        return new SourceRecord(Map.of("server", "x"), Map.of("lsn", lsn), TX_TOPIC, null, null, null, v.schema(), v);
    }

    static SourceRecord end(long txId, long commitLsn) {
        Struct v = new Struct(TX_VALUE).put("status", "END").put("id", txId + ":" + commitLsn).put("ts_ms", 1L);
        return new SourceRecord(Map.of("server", "x"), Map.of("lsn", commitLsn, "lsn_commit", commitLsn, "txId", txId),
                TX_TOPIC, null, null, null, v.schema(), v);
    }
}
