package io.syncline.core.config.internal;

import io.syncline.core.config.ConfigLocation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One YAML mapping of the config, with its path. Duplicate keys are reported when it is
 * opened (SnakeYAML's node API keeps them; the first one counts).
 */
final class MapReader {

    private final Node node;
    private final String path;
    private final LoadContext ctx;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    private MapReader(MappingNode node, String path, LoadContext ctx) {
        this.node = node;
        this.path = path;
        this.ctx = ctx;
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || Nodes.isNull(keyNode)) {
                ctx.error(keyNode, path, "a key is " + Nodes.describe(keyNode) + "; expected a plain name");
                continue;
            }
            String key = scalar.getValue();
            NodeTuple first = entries.putIfAbsent(key, tuple);
            if (first != null) {
                ctx.error(keyNode, FieldPaths.child(path, key), "duplicate key (first at line "
                        + ctx.locate(first.getKeyNode()).line() + "); expected each key once");
            } else {
                ctx.remember(FieldPaths.child(path, key), keyNode, tuple.getValueNode());
            }
        }
    }

    /**
     * Opens {@code node} as a mapping, or records "is a list; expected {@code expected}" and
     * returns empty.
     */
    static Optional<MapReader> open(Node node, String path, LoadContext ctx, String expected) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(new MapReader(mapping, path, ctx));
        }
        ctx.error(node, path, "is " + Nodes.describe(node) + "; expected " + expected);
        return Optional.empty();
    }

    String path() {
        return path;
    }

    LoadContext context() {
        return ctx;
    }

    String child(String key) {
        return FieldPaths.child(path, key);
    }

    /** Where this mapping was introduced: its key if it has one, else its first character. */
    ConfigLocation location() {
        return ctx.keyLocationOf(path).orElseGet(() -> ctx.locate(node));
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Optional<Node> value(String key) {
        return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
    }

    Optional<Node> keyNode(String key) {
        return Optional.ofNullable(entries.get(key)).map(NodeTuple::getKeyNode);
    }

    /** The keys in file order, without duplicates. */
    Set<String> keys() {
        return entries.keySet();
    }

    /** Records every key not in {@code known}, with the closest known key as a suggestion. */
    void rejectUnknownKeys(Collection<String> known) {
        entries.forEach((key, tuple) -> {
            if (!known.contains(key)) {
                ctx.error(tuple.getKeyNode(), child(key), "unknown key" + Suggestions.didYouMean(key, known)
                        + "; expected one of " + String.join(", ", known));
            }
        });
    }
}
