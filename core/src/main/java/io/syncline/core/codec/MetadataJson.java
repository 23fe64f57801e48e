package io.syncline.core.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON forms of {@link RowMetadata} in the row-version columns, as the row triggers write
 * them and the capture and the applier read them: {@link ReplicationSchema#COUNTERS_COLUMN}
 * {@code {"col": {"node": "12.5"}}} (amounts as strings, so numeric precision survives) and
 * {@link ReplicationSchema#DOTS_COLUMN} {@code {"col": ["node", counter, hlc]}}; and of the
 * version vector in {@link ReplicationSchema#VECTOR_COLUMN} {@code {"node": counter}}, read and
 * written for every replicated row, so with Jackson's streaming parser rather than a tree.
 * Thread-safe.
 */
public final class MetadataJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String EMPTY_OBJECT = "{}";

    private MetadataJson() {}

    /**
     * Parses the two columns; {@code null} or empty text counts as {@code {}}.
     *
     * @throws IllegalArgumentException if either is not of the documented shape
     */
    public static RowMetadata parse(String counters, String dots) {
        try {
            Map<String, Map<String, BigDecimal>> counterMap = new TreeMap<>();
            // "{}" (jsonb's text of an empty object) is what tables without merge metadata carry on every row.
            if (counters != null && !counters.isEmpty() && !counters.equals(EMPTY_OBJECT)) {
                JsonNode root = MAPPER.readTree(counters);
                for (Iterator<Map.Entry<String, JsonNode>> columns = root.fields(); columns.hasNext(); ) {
                    Map.Entry<String, JsonNode> column = columns.next();
                    Map<String, BigDecimal> shares = new TreeMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> nodes = column.getValue().fields(); nodes.hasNext(); ) {
                        Map.Entry<String, JsonNode> node = nodes.next();
                        shares.put(node.getKey(), new BigDecimal(node.getValue().asText()));
                    }
                    counterMap.put(column.getKey(), shares);
                }
            }
            Map<String, ColumnDot> dotMap = new TreeMap<>();
            if (dots != null && !dots.isEmpty() && !dots.equals(EMPTY_OBJECT)) {
                JsonNode root = MAPPER.readTree(dots);
                for (Iterator<Map.Entry<String, JsonNode>> columns = root.fields(); columns.hasNext(); ) {
                    Map.Entry<String, JsonNode> column = columns.next();
                    JsonNode dot = column.getValue();
                    if (!dot.isArray() || dot.size() != 3) {
                        throw new IllegalArgumentException("a column dot is [node, counter, hlc]: " + dot);
                    }
                    dotMap.put(column.getKey(), new ColumnDot(dot.get(0).asText(), dot.get(1).asLong(), dot.get(2).asLong()));
                }
            }
            return counterMap.isEmpty() && dotMap.isEmpty() ? RowMetadata.EMPTY : new RowMetadata(counterMap, dotMap);
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalArgumentException("unreadable merge metadata: " + counters + " / " + dots, e);
        }
    }

    /**
     * Parses a version vector object.
     *
     * @throws IllegalArgumentException if {@code json} is not an object of whole, non-negative counters
     */
    public static VersionVector vector(String json) {
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("version vector is not a JSON object: " + json);
            }
            Map<String, Long> counters = new TreeMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String node = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new IllegalArgumentException("version vector counter of " + node + " is not a whole number: " + json);
                }
                counters.put(node, parser.getLongValue());
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new IllegalArgumentException("version vector is not one JSON object: " + json);
            }
            return VersionVector.of(counters);
        } catch (IOException e) {
            throw new IllegalArgumentException("version vector is not JSON: " + json, e);
        }
    }

    /** The {@link ReplicationSchema#VECTOR_COLUMN} text of {@code vector}: {@code {"node":counter,...}}, nodes in order. */
    public static String vector(VersionVector vector) {
        StringWriter out = new StringWriter(16 + 16 * vector.counters().size());
        try (JsonGenerator generator = MAPPER.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            for (Map.Entry<String, Long> counter : vector.counters().entrySet()) {
                generator.writeNumberField(counter.getKey(), counter.getValue());
            }
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The {@link ReplicationSchema#COUNTERS_COLUMN} text of {@code metadata}. */
    public static String counters(RowMetadata metadata) {
        if (metadata.counters().isEmpty()) {
            return EMPTY_OBJECT;
        }
        Map<String, Map<String, String>> document = new TreeMap<>();
        metadata.counters().forEach((column, shares) -> {
            Map<String, String> texts = new TreeMap<>();
            shares.forEach((node, amount) -> texts.put(node, amount.toPlainString()));
            document.put(column, texts);
        });
        return write(document);
    }

    /** The {@link ReplicationSchema#DOTS_COLUMN} text of {@code metadata}. */
    public static String dots(RowMetadata metadata) {
        if (metadata.columnDots().isEmpty()) {
            return EMPTY_OBJECT;
        }
        Map<String, List<Object>> document = new TreeMap<>();
        metadata.columnDots().forEach((column, dot) -> document.put(column, List.of(dot.node(), dot.counter(), dot.hlc())));
        return write(document);
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
