package io.syncline.core.config.internal;

import java.util.Objects;
import java.util.Optional;

/**
 * One key of a YAML section, defined in one place: key, type (which validates), default,
 * whether it is required, and what it means.
 *
 * @param <T> the model type of the value
 */
final class Setting<T> {

    private final String key;
    private final ValueType<T> type;
    private final T defaultValue;
    private final boolean required;
    private final String description;
    private final String notes;

    private Setting(String key, ValueType<T> type, T defaultValue, boolean required, String description, String notes) {
        this.key = Objects.requireNonNull(key);
        this.type = Objects.requireNonNull(type);
        this.defaultValue = defaultValue;
        this.required = required;
        this.description = Objects.requireNonNull(description);
        this.notes = Objects.requireNonNull(notes);
    }

    /** A key that must be present. */
    static <T> Setting<T> required(String key, ValueType<T> type, String description) {
        return new Setting<>(key, type, null, true, description, "");
    }

    /** A key that may be absent; then it has no value. */
    static <T> Setting<T> optional(String key, ValueType<T> type, String description) {
        return new Setting<>(key, type, null, false, description, "");
    }

    /** A key that may be absent; then it has {@code defaultValue}. */
    static <T> Setting<T> withDefault(String key, ValueType<T> type, T defaultValue, String description) {
        return new Setting<>(key, type, Objects.requireNonNull(defaultValue), false, description, "");
    }

    /**
     * This setting with {@code notes} added to its documentation (key reference and schema) but not
     * to the loader's messages, which quote the description alone.
     */
    Setting<T> withNotes(String notes) {
        return new Setting<>(key, type, defaultValue, required, description, notes);
    }

    String key() {
        return key;
    }

    /** What the key means, short: the loader's "missing (...)" message quotes it. */
    String description() {
        return description;
    }

    /** The description and the notes, for the key reference and the schema. */
    String documentation() {
        return notes.isEmpty() ? description : description + ", " + notes;
    }

    ValueType<T> type() {
        return type;
    }

    /** Whether the key must be present. */
    boolean isRequired() {
        return required;
    }

    /** The value of an absent key, if it has one. */
    Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * The value in {@code map}: converted if present, the default if absent. Records a
     * problem and returns empty if the value is invalid, or absent though required; returns
     * empty without a problem for an absent optional key without default.
     */
    Optional<T> read(MapReader map) {
        Optional<T> value = map.value(key).flatMap(node -> type.read(node, map.child(key), map.context()));
        if (map.has(key)) {
            return value;
        }
        if (required) {
            map.context().error(map.location(), map.child(key),
                    "missing (" + description + "); expected " + type.expected());
        }
        return Optional.ofNullable(defaultValue);
    }

    /** Whether the key is written in {@code map} (valid or not). */
    boolean isIn(MapReader map) {
        return map.has(key);
    }
}
