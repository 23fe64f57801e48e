package io.syncline.core.config.internal;

import io.syncline.core.config.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A secret written as exactly one of three keys: {@code <base>-env} (an environment
 * variable), {@code <base>-file} (a file) or {@code <base>} (plain text, refused unless the
 * file sets {@code allow-plaintext-secrets: true}, and then a warning).
 */
final class SecretSetting {

    private final String base;
    private final boolean required;
    private final String description;
    private final Setting<String> env;
    private final Setting<Path> file;
    private final Setting<String> plain;

    private SecretSetting(String base, boolean required, String description) {
        this.base = base;
        this.required = required;
        this.description = description;
        String rule = (required ? "; exactly one of " : "; at most one of ") + base + "-env, " + base + "-file and "
                + base;
        this.env = Setting.optional(base + "-env", ValueTypes.ENV_VAR,
                "environment variable holding the " + description + rule);
        this.file = Setting.optional(base + "-file", ValueTypes.path("a file path (relative to this config file)"),
                "file holding the " + description + ", relative to this config file" + rule);
        this.plain = Setting.optional(base, ValueTypes.anyText("the secret"), "the " + description
                + " in plain text, refused unless allow-plaintext-secrets is true (then logged as a warning)" + rule);
    }

    static SecretSetting required(String base, String description) {
        return new SecretSetting(base, true, description);
    }

    static SecretSetting optional(String base, String description) {
        return new SecretSetting(base, false, description);
    }

    /** The three keys, preferred first. */
    List<String> keys() {
        return List.of(env.key(), file.key(), plain.key());
    }

    /** The settings of the three keys, preferred first. */
    List<Setting<?>> settings() {
        return List.of(env, file, plain);
    }

    /** Whether one of the keys must be given. */
    boolean isRequired() {
        return required;
    }

    /** Whether any of the keys is written in {@code map}. */
    boolean isIn(MapReader map) {
        return keys().stream().anyMatch(map::has);
    }

    String base() {
        return base;
    }

    Optional<Secret> read(MapReader map) {
        LoadContext ctx = map.context();
        List<String> given = new ArrayList<>();
        for (String key : keys()) {
            if (map.has(key)) {
                given.add(key);
            }
        }
        if (given.size() > 1) {
            Node second = map.keyNode(given.get(1)).orElseThrow();
            ctx.error(second, map.child(given.get(1)), "the " + description + " is given twice (as "
                    + String.join(" and ", given) + "); expected only one of " + String.join(", ", keys()));
            return Optional.empty();
        }
        if (given.isEmpty()) {
            if (required) {
                ctx.error(map.location(), map.child(env.key()), "missing " + description
                        + "; expected " + env.key() + " (an environment variable) or " + file.key() + " (a file)");
            }
            return Optional.empty();
        }
        String key = given.get(0);
        String origin = map.child(key) + " (" + ctx.locationOf(map.child(key)) + ")";
        if (key.equals(env.key())) {
            return env.read(map).map(variable -> Secret.fromEnvironment(variable, origin));
        }
        if (key.equals(file.key())) {
            return file.read(map).map(path -> Secret.fromFile(path, origin));
        }
        Node keyNode = map.keyNode(key).orElseThrow();
        if (!ctx.plaintextSecretsAllowed()) {
            ctx.error(keyNode, map.child(key), "plain-text " + description + " refused; expected "
                    + env.key() + " or " + file.key() + " (or allow-plaintext-secrets: true at the top level)");
            return Optional.empty();
        }
        ctx.warn(keyNode, map.child(key), "plain-text " + description + " (allowed by allow-plaintext-secrets); "
                + "expected " + env.key() + " or " + file.key() + " in production");
        return plain.read(map).map(value -> Secret.plaintext(value, origin));
    }
}
