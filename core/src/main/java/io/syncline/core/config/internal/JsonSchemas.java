package io.syncline.core.config.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JSON Schema (draft 2020-12) fragments the value types describe themselves with, as ordered
 * mutable maps. Only these keywords are emitted, so a checker of this subset checks the whole schema.
 */
final class JsonSchemas {

    private JsonSchemas() {}

    static Map<String, Object> nonEmptyString() {
        Map<String, Object> schema = type("string");
        schema.put("minLength", 1);
        return schema;
    }

    /**
     * A string matching {@code pattern} entirely. JSON Schema patterns are ECMA-262 and unanchored;
     * the patterns given here use only syntax Java and ECMA-262 read alike.
     */
    static Map<String, Object> string(Pattern pattern) {
        return string(pattern.pattern());
    }

    static Map<String, Object> string(String regex) {
        Map<String, Object> schema = type("string");
        schema.put("pattern", "^(?:" + regex + ")$");
        return schema;
    }

    static Map<String, Object> integer(int min, int max) {
        Map<String, Object> schema = type("integer");
        schema.put("minimum", min);
        schema.put("maximum", max);
        return schema;
    }

    static Map<String, Object> bool() {
        return type("boolean");
    }

    static Map<String, Object> enumOf(List<String> values) {
        Map<String, Object> schema = type("string");
        schema.put("enum", List.copyOf(values));
        return schema;
    }

    static Map<String, Object> arrayOf(Map<String, Object> item, int minItems) {
        Map<String, Object> schema = type("array");
        schema.put("items", item);
        if (minItems > 0) {
            schema.put("minItems", minItems);
        }
        return schema;
    }

    /** Exactly one of {@code alternatives}. */
    @SafeVarargs
    static Map<String, Object> oneOf(Map<String, Object>... alternatives) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("oneOf", new ArrayList<>(List.of(alternatives)));
        return schema;
    }

    /**
     * A mapping of exactly {@code settings}, the {@code required} ones present, and exactly one key
     * of each group in {@code exactlyOne}. Each property carries its description and default.
     */
    static Map<String, Object> object(List<Setting<?>> settings, List<List<String>> exactlyOne) {
        Map<String, Object> schema = type("object");
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Setting<?> setting : settings) {
            properties.put(setting.key(), property(setting));
            if (setting.isRequired()) {
                required.add(setting.key());
            }
        }
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false);
        List<Map<String, Object>> groups = exactlyOne.stream().map(JsonSchemas::exactlyOneOf).toList();
        if (groups.size() == 1) {
            schema.putAll(groups.get(0));
        } else if (!groups.isEmpty()) {
            schema.put("allOf", groups);
        }
        return schema;
    }

    private static <T> Map<String, Object> property(Setting<T> setting) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("description", setting.documentation());
        schema.putAll(setting.type().schema());
        setting.defaultValue().flatMap(value -> setting.type().written(value))
                .ifPresent(value -> schema.put("default", value));
        return schema;
    }

    private static Map<String, Object> exactlyOneOf(List<String> keys) {
        List<Map<String, Object>> alternatives = new ArrayList<>();
        for (String key : keys) {
            Map<String, Object> alternative = new LinkedHashMap<>();
            alternative.put("required", List.of(key));
            alternatives.add(alternative);
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("oneOf", alternatives);
        return schema;
    }

    private static Map<String, Object> type(String type) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", type);
        return schema;
    }
}
