package io.syncline.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.schema.ReplicationSchema;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON forms of {@link RowMetadata} in the row-version columns, as the row triggers write
 * them and the capture and the applier read them: {@link ReplicationSchema#COUNTERS_COLUMN}
 * {@code {"col": {"node": "12.5"}}} (amounts as strings, so numeric precision survives) and
 * {@link ReplicationSchema#DOTS_COLUMN} {@code {"col": ["node", counter, hlc]}}. Thread-safe.
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

    /** The {@link ReplicationSchema#COUNTERS_COLUMN} text of {@code metadata}. */
    public static String counters(RowMetadata metadata) {
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
