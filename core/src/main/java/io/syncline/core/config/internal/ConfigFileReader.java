package io.syncline.core.config.internal;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one node config file; see {@link io.syncline.core.config.NodeConfigLoader} for the contract. */
public final class ConfigFileReader {

    // A node config never needs more; the limit keeps a hostile file (billion laughs) cheap.
    private static final int MAX_ALIASES = 50;

    private ConfigFileReader() {}

    /**
     * @throws ConfigException with every problem found
     */
    public static NodeConfig read(Path file, ClassLoader resolverClassLoader) {
        LoadContext ctx = new LoadContext(file, resolverClassLoader);
        Optional<NodeConfig> config = parse(file, ctx).flatMap(root -> new RootSection().read(root, "", ctx));
        if (ctx.errorCount() > 0 || config.isEmpty()) {
            throw new ConfigException(ctx.errors());
        }
        return config.get();
    }

    private static Optional<Node> parse(Path file, LoadContext ctx) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            ctx.error(ctx.start(), "", "file not found; expected a readable YAML file");
            return Optional.empty();
        } catch (IOException e) {
            ctx.error(ctx.start(), "", "cannot read the file (" + e + "); expected a readable UTF-8 YAML file");
            return Optional.empty();
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        try {
            Node root = new Yaml(options).compose(new StringReader(text));
            if (root == null) {
                ctx.error(ctx.start(), "", "the file is empty; expected a mapping with keys "
                        + String.join(", ", RootSection.topLevelKeys()));
                return Optional.empty();
            }
            return Optional.of(root);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : " (" + e.getContext().trim() + ")";
            ctx.error(ctx.locate(mark), "", "YAML syntax error: " + e.getProblem().trim() + context
                    + "; expected valid YAML");
            return Optional.empty();
        } catch (YAMLException e) {
            ctx.error(ctx.start(), "", "YAML syntax error: " + e.getMessage() + "; expected valid YAML");
            return Optional.empty();
        }
    }
}
