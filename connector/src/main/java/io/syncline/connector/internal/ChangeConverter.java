package io.syncline.connector.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.codec.MetadataJson;
import io.syncline.core.event.Operation;
import io.syncline.core.event.ProgressReport;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SchemaChangeRecord;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Debezium change event of the PostgreSQL connector into a {@link RowChange} whose
 * values are PostgreSQL text literals ({@code col::text} in a UTC session).
 *
 * <p>Expects the engine settings of {@link DebeziumSettings}: decimals, intervals and binaries as
 * strings, {@code time.precision.mode=microseconds}, source column types propagated to the
 * schema parameters. Rows of {@link ReplicationSchema#TOMBSTONE_TABLE} become deletes of the
 * table they name; the user tables' own deletes are not replicated (their tombstone row, written
 * in the same transaction, carries the delete and its version). The row of
 * {@link ReplicationSchema#PROGRESS_REPORT_TABLE} and one of {@link ReplicationSchema#SCHEMA_CHANGE_TABLE}
 * are control records ({@link ProgressReport}, {@link SchemaChangeRecord}) and travel as their
 * {@link io.syncline.core.event.ControlRecord#toRowChange()}. Thread-safe.
 */
public final class ChangeConverter {

    /** Debezium's default {@code unavailable.value.placeholder}, set explicitly by the capture. */
    public static final String DEFAULT_UNAVAILABLE_PLACEHOLDER = "__debezium_unavailable_value";

    static final String SOURCE_TYPE_PARAMETER = "__debezium.source.column.type";
    static final String SOURCE_LENGTH_PARAMETER = "__debezium.source.column.length";
    static final String SOURCE_SCALE_PARAMETER = "__debezium.source.column.scale";

    private static final Logger log = LoggerFactory.getLogger(ChangeConverter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String logPrefix;
    private final Map<String, List<String>> primaryKeys;
    private final String placeholder;
    private final byte[] placeholderBytes;
    private final List<Object> placeholderLists;

    /**
     * @param nodeId      the local node, for logs
     * @param primaryKeys primary-key columns in key order per schema-qualified table; orders the
     *                    keys of deletes (a tombstone's key is a jsonb object, which has no order)
     * @param placeholder Debezium's {@code unavailable.value.placeholder}
     */
    public ChangeConverter(String nodeId, Map<String, List<String>> primaryKeys, String placeholder) {
        this.logPrefix = "[" + nodeId + " capture]";
        this.primaryKeys = Map.copyOf(primaryKeys);
        this.placeholder = placeholder;
        this.placeholderBytes = placeholder.getBytes(StandardCharsets.UTF_8);
        List<Integer> ints = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        List<Short> shorts = new ArrayList<>();
        for (byte b : placeholderBytes) {
            ints.add((int) b);
            longs.add((long) b);
            shorts.add((short) b);
        }
        // UnchangedToastedPlaceholder (debezium-connector-postgres): unchanged TOASTed arrays arrive
        // as these lists.
        this.placeholderLists = List.of(List.of(placeholder), ints, longs, shorts,
                List.of(java.util.UUID.nameUUIDFromBytes(placeholderBytes).toString()));
    }

    /**
     * The row change of a Debezium change event value, or empty for events that are not
     * replicated (deletes of user tables, deletes of tombstones, truncates, logical messages).
     *
     * @param key   the record key (primary-key columns), may be null for tombstone-table events
     * @param value the change event envelope; never null
     * @throws UnconvertibleValueException for a value whose text form cannot be rebuilt exactly
     */
    public Optional<RowChange> convert(Struct key, Struct value) {
        return convert(key, value, null);
    }

    /**
     * As {@link #convert(Struct, Struct)}, for the create event of a primary-key change: the insert
     * of the new key names {@code movedFromKey}, the old key (whose tombstone the same transaction
     * carries as a delete).
     */
    public Optional<RowChange> convert(Struct key, Struct value, Struct movedFromKey) {
        String op = value.getString("op");
        Struct source = value.getStruct("source");
        String table = source.getString("schema") + "." + source.getString("table");
        boolean tombstones = table.equals(ReplicationSchema.TOMBSTONE_TABLE);
        switch (op) {
            case "c", "r", "u" -> {
                Struct after = value.getStruct("after");
                if (tombstones) {
                    // A tombstone with a collection mark was only marked by the collector; every real write clears the mark.
                    return isCollectionMark(after) ? Optional.empty() : Optional.of(tombstoneToDelete(after));
                }
                if (table.equals(ReplicationSchema.PROGRESS_REPORT_TABLE)) {
                    return Optional.of(progressReport(after));
                }
                if (table.equals(ReplicationSchema.SCHEMA_CHANGE_TABLE)) {
                    return Optional.of(schemaChange(after));
                }
                RowChange change = upsert(table, "u".equals(op) ? Operation.UPDATE : Operation.INSERT, key, after);
                return Optional.of(movedFromKey == null ? change : movedFrom(change, movedFromKey));
            }
            case "d" -> {
                return Optional.empty();
            }
            case "t" -> {
                log.warn("{} TRUNCATE of {} (transaction {}) is not replicated: other nodes keep their rows; "
                        + "delete the rows with DELETE to replicate the removal", logPrefix, table, source.get("txId"));
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private RowChange upsert(String table, Operation operation, Struct key, Struct after) {
        if (after == null) {
            throw new UnconvertibleValueException(table + ": " + operation + " event without an after image");
        }
        Map<String, String> keyValues = key == null ? new LinkedHashMap<>() : keyText(key);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> unchanged = new HashSet<>();
        for (Field field : after.schema().fields()) {
            String column = field.name();
            if (ReplicationSchema.METADATA_COLUMNS.contains(column)) {
                continue;
            }
            String type = sourceType(field.schema());
            if (type != null) {
                types.put(column, type);
            }
            Object raw = after.get(field);
            if (isPlaceholder(raw)) {
                unchanged.add(column);
                continue;
            }
            values.put(column, ConnectValueText.of(field.schema(), raw, false));
        }
        if (keyValues.isEmpty()) {
            for (String column : primaryKeys.getOrDefault(table, List.of())) {
                keyValues.put(column, values.get(column));
            }
        }
        Field hlc = after.schema().field(ReplicationSchema.HLC_COLUMN);
        Field node = after.schema().field(ReplicationSchema.NODE_COLUMN);
        Field vv = after.schema().field(ReplicationSchema.VECTOR_COLUMN);
        if (hlc == null || node == null || vv == null) {
            throw new UnconvertibleValueException(table + " has no row-version columns (" + ReplicationSchema.METADATA_COLUMNS
                    + "): run `syncline init` for this table");
        }
        RowVersion version = version(table, after.get(hlc), after.get(node), after.get(vv));
        return new RowChange(table, operation, keyValues, null, values, unchanged, version, metadata(table, after), types);
    }

    /**
     * The column's type at the source ({@code datatype.propagate.source.type}): its name, length and
     * scale as Debezium read them from the relation (pgjdbc's precision and scale of the type
     * modifier); {@code null} when the schema does not carry them.
     */
    private static String sourceType(Schema schema) {
        Map<String, String> parameters = schema.parameters();
        String name = parameters == null ? null : parameters.get(SOURCE_TYPE_PARAMETER);
        if (name == null) {
            return null;
        }
        try {
            String length = parameters.get(SOURCE_LENGTH_PARAMETER);
            String scale = parameters.get(SOURCE_SCALE_PARAMETER);
            return RowChange.columnType(name, length == null ? -1 : Integer.parseInt(length),
                    scale == null ? 0 : Integer.parseInt(scale));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The delta counters and column dots the row trigger kept; empty for tables whose policy needs none. */
    private static RowMetadata metadata(String table, Struct after) {
        Field counters = after.schema().field(ReplicationSchema.COUNTERS_COLUMN);
        Field dots = after.schema().field(ReplicationSchema.DOTS_COLUMN);
        if (counters == null || dots == null) {
            throw new UnconvertibleValueException(table + " has no merge metadata columns (" + ReplicationSchema.COUNTERS_COLUMN
                    + ", " + ReplicationSchema.DOTS_COLUMN + "): run `syncline init` for this table");
        }
        try {
            return MetadataJson.parse((String) after.get(counters), (String) after.get(dots));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new UnconvertibleValueException(table + ": " + e.getMessage(), e);
        }
    }

    /** The key columns of a record key as PostgreSQL text, in key order. */
    private Map<String, String> keyText(Struct key) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Field field : key.schema().fields()) {
            values.put(field.name(), ConnectValueText.of(field.schema(), key.get(field), false));
        }
        return values;
    }

    private RowChange movedFrom(RowChange insert, Struct oldKey) {
        return new RowChange(insert.table(), insert.operation(), insert.key(), keyText(oldKey), insert.values(), insert.unchangedColumns(),
                insert.version(), insert.metadata(), insert.columnTypes());
    }

    private static boolean isCollectionMark(Struct tombstone) {
        return tombstone.schema().field("collect_checkpoint") != null && tombstone.get("collect_checkpoint") != null;
    }

    /** The node's progress report, taken by the peers' appliers as their view of this node's progress. */
    private static RowChange progressReport(Struct after) {
        return new ProgressReport(after.getString("node_id"), after.getString("applied"), after.getString("stable"),
                Boolean.TRUE.equals(after.getBoolean("awaiting"))).toRowChange();
    }

    /**
     * A schema change run here through {@code syncline ddl}: its statements and expectations travel
     * as they are, for the peers' appliers to run at this point of the stream.
     */
    private static RowChange schemaChange(Struct after) {
        return new SchemaChangeRecord(after.getString("origin_node"), after.getInt64("id"), after.getString("statements"),
                after.getString("expectations"), after.getString("search_path")).toRowChange();
    }

    private RowChange tombstoneToDelete(Struct after) {
        String table = after.getString("table_name");
        Map<String, String> key = new LinkedHashMap<>();
        Map<String, String> unordered = new TreeMap<>();
        try {
            JsonNode pk = JSON.readTree(after.getString("pk"));
            for (Iterator<Map.Entry<String, JsonNode>> it = pk.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode v = entry.getValue();
                unordered.put(entry.getKey(), v.isNull() ? null : v.isTextual() ? v.asText() : v.toString());
            }
        } catch (IOException e) {
            throw new UnconvertibleValueException("tombstone of " + table + " has an unreadable pk: " + after.get("pk"), e);
        }
        for (String column : primaryKeys.getOrDefault(table, List.of())) {
            if (unordered.containsKey(column)) {
                key.put(column, unordered.remove(column));
            }
        }
        key.putAll(unordered);
        RowVersion version = version(ReplicationSchema.TOMBSTONE_TABLE, after.get("hlc"), after.get("node_id"), after.get("vv"));
        return new RowChange(table, Operation.DELETE, key, null, Map.of(), Set.of(), version);
    }

    private static RowVersion version(String table, Object hlc, Object node, Object vv) {
        if (!(hlc instanceof Long clock) || !(node instanceof String nodeId) || !(vv instanceof String vector)) {
            throw new UnconvertibleValueException(table + ": row version missing or of an unexpected type: hlc=" + hlc
                    + " node=" + node + " vv=" + vv);
        }
        return new RowVersion(new RowClock(clock, nodeId), vector(table, vector));
    }

    static VersionVector vector(String table, String json) {
        try {
            return MetadataJson.vector(json);
        } catch (IllegalArgumentException e) {
            throw new UnconvertibleValueException(table + ": " + e.getMessage(), e);
        }
    }

    private boolean isPlaceholder(Object raw) {
        if (raw instanceof String s) {
            return s.equals(placeholder);
        }
        if (raw instanceof byte[] bytes) {
            return Arrays.equals(bytes, placeholderBytes);
        }
        if (raw instanceof ByteBuffer buffer) {
            return buffer.equals(ByteBuffer.wrap(placeholderBytes));
        }
        if (raw instanceof List<?> list) {
            if (list.size() == 1 && list.get(0) instanceof byte[] bytes) {
                return Arrays.equals(bytes, placeholderBytes);
            }
            return placeholderLists.contains(list);
        }
        return false;
    }
}
