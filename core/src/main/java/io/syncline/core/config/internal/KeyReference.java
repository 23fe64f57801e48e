package io.syncline.core.config.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key reference and the JSON Schema of the node file, both generated from the setting
 * definitions the loader reads with, so that neither repeats a key, default or range by hand.
 * See {@link io.syncline.core.config.ConfigReference} for the contract. Stateless.
 */
public final class KeyReference {

    private KeyReference() {}

    /** One row of the key reference. */
    private record Row(String key, String value, String defaultValue, String description) {}

    /** The reference as a Markdown table, one row per key, nested keys after their parent. */
    public static String markdownTable() {
        List<Row> rows = new ArrayList<>();
        walk("", new RootSection().settings(), new HashMap<>(), rows);
        StringBuilder table = new StringBuilder("| key | value | default | meaning |\n| --- | --- | --- | --- |\n");
        for (Row row : rows) {
            table.append("| `").append(row.key()).append("` | ").append(cell(row.value())).append(" | ")
                    .append(row.defaultValue().isEmpty() ? "" : "`" + row.defaultValue() + "`").append(" | ")
                    .append(cell(row.description())).append(" |\n");
        }
        return table.toString();
    }

    /** The JSON Schema (draft 2020-12) of a whole node file, as pretty-printed JSON ending in a newline. */
    public static String jsonSchema() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", "Syncline node configuration");
        schema.put("description", "One Syncline node's YAML file. Generated from the loader's setting definitions"
                + " (syncline config-reference); it checks keys and the form of values. Checks that span keys (the"
                + " topology graph, peers, policy parameters, secrets' files) are the loader's: syncline validate-config.");
        schema.putAll(new RootSection().schema());
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return new ObjectMapper().writer(printer).writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the schema of maps, lists and scalars cannot fail to serialize", e);
        }
    }

    /**
     * Adds the rows of {@code settings} below {@code prefix}. A group of keys met again (a peer's
     * {@code kafka} is the node's) is referred to its first place instead of repeated.
     */
    private static void walk(String prefix, List<Setting<?>> settings, Map<List<Setting<?>>, String> documented,
            List<Row> rows) {
        for (Setting<?> setting : settings) {
            String path = prefix.isEmpty() ? setting.key() : prefix + "." + setting.key();
            List<Setting<?>> nested = setting.type().settings();
            String earlier = nested.isEmpty() ? null : documented.putIfAbsent(nested, path);
            String description = setting.documentation() + (earlier == null ? "" : "; the keys of `" + earlier + "`");
            rows.add(new Row(path, (setting.isRequired() ? "required; " : "") + setting.type().summary(),
                    written(setting).map(KeyReference::spelled).orElse(""), description));
            if (!nested.isEmpty() && earlier == null) {
                walk(path + setting.type().settingsPath(), nested, documented, rows);
            }
        }
    }

    private static <T> Optional<Object> written(Setting<T> setting) {
        return setting.defaultValue().flatMap(value -> setting.type().written(value));
    }

    private static String spelled(Object value) {
        return value instanceof List<?> list ? list.toString() : String.valueOf(value);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
