package io.syncline.core.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** The settings this section accepts, in documentation order, the keys of its secrets included. */
    @Override
    public abstract List<Setting<?>> settings();

    /** The secrets among {@link #settings()}, each written as one of its keys. */
    List<SecretSetting> secrets() {
        return List.of();
    }

    /** The keys this section accepts, in documentation order. */
    final List<String> keys() {
        return settings().stream().<String>map(Setting::key).toList();
    }

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

    @Override
    public String summary() {
        return "a mapping";
    }

    @Override
    public Map<String, Object> schema() {
        return JsonSchemas.object(settings(),
                secrets().stream().filter(SecretSetting::isRequired).map(SecretSetting::keys).toList());
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

    /** The settings of {@code parts}, in order. */
    @SafeVarargs
    static List<Setting<?>> concat(List<? extends Setting<?>>... parts) {
        List<Setting<?>> settings = new ArrayList<>();
        for (List<? extends Setting<?>> part : parts) {
            settings.addAll(part);
        }
        return List.copyOf(settings);
    }
}
