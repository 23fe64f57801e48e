package io.syncline.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A checker of the JSON Schema keywords {@link ConfigReference#jsonSchema()} emits, and no others:
 * an unknown keyword fails the check, so the schema cannot grow a keyword this checker ignores.
 */
final class SchemaSubset {

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "title", "description", "default");
    private static final Set<String> KEYWORDS = Set.of("type", "enum", "pattern", "minLength", "minimum", "maximum",
            "items", "minItems", "properties", "required", "additionalProperties", "propertyNames", "oneOf", "allOf");

    private SchemaSubset() {}

    /** The places where {@code value} breaks {@code schema}, as {@code path: problem}; empty if it is valid. */
    static List<String> problems(JsonNode schema, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "", problems);
        return problems;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String keyword = names.next();
            if (!ANNOTATIONS.contains(keyword) && !KEYWORDS.contains(keyword)) {
                throw new IllegalArgumentException("keyword " + keyword + " at " + path + " is not in the checked subset");
            }
        }
        if (schema.has("type") && !hasType(value, schema.get("type").asText())) {
            problems.add(path + ": is " + value.getNodeType() + ", expected " + schema.get("type").asText());
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            problems.add(path + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
            problems.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern").asText());
        }
        if (schema.has("minLength") && value.asText().codePointCount(0, value.asText().length()) < schema.get("minLength").asInt()) {
            problems.add(path + ": shorter than " + schema.get("minLength"));
        }
        if (schema.has("minimum") && value.asLong() < schema.get("minimum").asLong()) {
            problems.add(path + ": " + value + " is less than " + schema.get("minimum"));
        }
        if (schema.has("maximum") && value.asLong() > schema.get("maximum").asLong()) {
            problems.add(path + ": " + value + " is more than " + schema.get("maximum"));
        }
        if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
            problems.add(path + ": has " + value.size() + " items, expected at least " + schema.get("minItems"));
        }
        if (schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
        if (value.isObject()) {
            checkObject(schema, value, path, problems);
        }
        if (schema.has("oneOf")) {
            int matching = 0;
            for (JsonNode alternative : schema.get("oneOf")) {
                matching += problems(alternative, value).isEmpty() ? 1 : 0;
            }
            if (matching != 1) {
                problems.add(path + ": matches " + matching + " of the alternatives " + schema.get("oneOf") + ", expected one");
            }
        }
        if (schema.has("allOf")) {
            schema.get("allOf").forEach(part -> check(part, value, path, problems));
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (schema.has("required")) {
            for (JsonNode key : schema.get("required")) {
                if (!value.has(key.asText())) {
                    problems.add(path + ": missing " + key.asText());
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (schema.has("propertyNames")) {
                check(schema.get("propertyNames"), com.fasterxml.jackson.databind.node.TextNode.valueOf(field.getKey()),
                        fieldPath, problems);
            }
            JsonNode property = schema.path("properties").get(field.getKey());
            JsonNode additional = schema.get("additionalProperties");
            if (property != null) {
                check(property, field.getValue(), fieldPath, problems);
            } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                problems.add(fieldPath + ": unknown key");
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), fieldPath, problems);
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException("type " + type + " is not in the checked subset");
        };
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode candidate : values) {
            if (candidate.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
