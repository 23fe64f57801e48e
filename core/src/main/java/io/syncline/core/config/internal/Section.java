package io.syncline.core.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A YAML mapping with a fixed set of keys, read into one model object. Unknown keys are
 * reported with a suggestion; if anything inside is wrong, the section has no value (its
 * problems are recorded) and checks that depend on it are skipped.
 *
 * @param <T> the model type
 */
abstract class Section<T> implements ValueType<T> {

    /** The keys this section accepts, in documentation order. */
    abstract List<String> keys();

    /** Reads the settings; called with unknown keys already reported. */
    abstract Optional<T> read(MapReader map);

    @Override
    public final Optional<T> read(Node node, String path, LoadContext ctx) {
        int before = ctx.errorCount();
        Optional<MapReader> map = MapReader.open(node, path, ctx, expected());
        if (map.isEmpty()) {
            return Optional.empty();
        }
        map.get().rejectUnknownKeys(keys());
        Optional<T> value = read(map.get());
        return ctx.errorCount() == before ? value : Optional.empty();
    }

    @Override
    public String expected() {
        return "a mapping with keys " + String.join(", ", keys());
    }

    /** Whether every value is present, i.e. the model object can be built. */
    static boolean allPresent(Optional<?>... values) {
        for (Optional<?> value : values) {
            if (value.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The keys of plain settings followed by those of secret settings. */
    static List<String> keysOf(List<Setting<?>> settings, SecretSetting... secrets) {
        List<String> keys = new ArrayList<>(settings.stream().map(Setting::key).toList());
        for (SecretSetting secret : secrets) {
            keys.addAll(secret.keys());
        }
        return List.copyOf(keys);
    }
}
