package io.syncline.apply.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.codec.MetadataJson;
import io.syncline.core.event.HybridLogicalClock;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import io.syncline.core.spi.RowState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON forms the applier reads and writes: the {@code syncline_vv} / {@code tombstone.vv}
 * objects (node id -> counter, as the triggers' {@code syncline.bump_vector} writes them) and the
 * documents of {@code syncline.conflict_log}. Thread-safe.
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Long>> COUNTERS = new TypeReference<>() {};

    private Json() {}

    static VersionVector vector(String json) {
        if (json == null || json.isEmpty()) {
            return VersionVector.EMPTY;
        }
        return MetadataJson.vector(json);
    }

    static String vector(VersionVector vector) {
        return MetadataJson.vector(vector);
    }

    /** The row's merge metadata from {@code syncline_delta} and {@code syncline_dots}. */
    static RowMetadata metadata(String counters, String dots) {
        return MetadataJson.parse(counters, dots);
    }

    static String counters(RowMetadata metadata) {
        return MetadataJson.counters(metadata);
    }

    static String dots(RowMetadata metadata) {
        return MetadataJson.dots(metadata);
    }

    /** The frontier of a resolved row or tombstone, {@code null} for none (a single version). */
    static String frontier(List<RowState> frontier) {
        if (frontier.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> document = new ArrayList<>();
        for (RowState state : frontier) {
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("hlc", state.version().clock().hlc());
            version.put("node", state.version().clock().nodeId());
            version.put("vv", state.version().vector().counters());
            version.put("values", state.values());
            version.put("counters", MetadataJson.counters(state.metadata()));
            version.put("dots", MetadataJson.dots(state.metadata()));
            document.add(version);
        }
        return write(document);
    }

    static List<RowState> frontier(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            List<RowState> frontier = new ArrayList<>();
            for (JsonNode version : MAPPER.readTree(json)) {
                Map<String, Long> counters = MAPPER.convertValue(version.get("vv"), COUNTERS);
                RowVersion rowVersion = new RowVersion(new RowClock(version.get("hlc").asLong(), version.get("node").asText()),
                        VersionVector.of(counters));
                JsonNode values = version.get("values");
                Map<String, String> row = null;
                if (values != null && !values.isNull()) {
                    row = new LinkedHashMap<>();
                    for (java.util.Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> column = it.next();
                        row.put(column.getKey(), column.getValue().isNull() ? null : column.getValue().asText());
                    }
                }
                frontier.add(new RowState(rowVersion, row,
                        MetadataJson.parse(version.get("counters").asText(), version.get("dots").asText())));
            }
            return frontier;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable frontier: " + json, e);
        }
    }

    /** {@code {"hlc": 123, "time": "2026-...Z+0", "node": "dc-a", "vv": {...}}}, or {@code null}. */
    static String version(RowVersion version) {
        if (version == null) {
            return null;
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("hlc", version.clock().hlc());
        document.put("time", HybridLogicalClock.format(version.clock().hlc()));
        document.put("node", version.clock().nodeId());
        document.put("vv", version.vector().counters());
        return write(document);
    }

    /** A row as a JSON object of column -> text (SQL NULL as JSON null), or {@code null}. */
    static String row(Map<String, String> values) {
        return values == null ? null : write(values);
    }

    /** A row change for people reading {@code syncline.dead_letter.change_json}; the bytes in {@code change} are the truth. */
    static String change(io.syncline.core.event.RowChange change) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("table", change.table());
        document.put("operation", change.operation().name().toLowerCase(java.util.Locale.ROOT));
        document.put("key", change.key());
        if (change.oldKey() != null) {
            document.put("old_key", change.oldKey());
        }
        document.put("values", change.values());
        document.put("unchanged", new java.util.TreeSet<>(change.unchangedColumns()));
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("hlc", change.version().clock().hlc());
        version.put("time", HybridLogicalClock.format(change.version().clock().hlc()));
        version.put("node", change.version().clock().nodeId());
        version.put("vv", change.version().vector().counters());
        document.put("version", version);
        return write(document);
    }

    /** Any value as JSON text. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
