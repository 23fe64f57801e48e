package io.syncline.core.config.internal;

import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Small helpers over SnakeYAML nodes. */
final class Nodes {

    private Nodes() {}

    /** What the user wrote, in words: "a mapping", "a list", "nothing", "'abc'". */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "empty";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /**
     * The text of a scalar; records "is a list; expected ..." (or mapping, or empty) and
     * returns empty for anything else.
     */
    static Optional<String> scalar(Node node, String path, LoadContext ctx, String expected) {
        if (node instanceof ScalarNode scalar && !isNull(node)) {
            return Optional.of(scalar.getValue());
        }
        ctx.error(node, path, "is " + describe(node) + "; expected " + expected);
        return Optional.empty();
    }
}
