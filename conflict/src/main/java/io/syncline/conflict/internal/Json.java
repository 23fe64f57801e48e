package io.syncline.conflict.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.event.HybridLogicalClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import java.util.LinkedHashMap;
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
        try {
            return VersionVector.of(MAPPER.readValue(json, COUNTERS));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a version vector: " + json, e);
        }
    }

    static String vector(VersionVector vector) {
        return write(vector.counters());
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

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
