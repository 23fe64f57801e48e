package io.syncline.core.config.internal;

import io.syncline.core.config.DatabaseUrl;
import io.syncline.core.config.NodeId;
import io.syncline.core.config.TableName;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The value types of the config file's scalars and lists.
 *
 * <p>A catalogue, longer than most classes: each constant or factory is one value type, read on its
 * own, and keeping them together keeps the config's spellings and messages alike.
 */
final class ValueTypes {

    private ValueTypes() {}

    private static final String DURATION_FORM = "(\\d{1,9})(ms|s|m|h)";
    private static final String IDENTIFIER_FORM = "[A-Za-z_][A-Za-z0-9_$]{0,62}";

    /** {@link NodeId}'s rule, the one the capture checks too. */
    static final ValueType<String> NODE_ID = matching(NodeId.PATTERN, NodeId.EXPECTED);

    private static final ValueType<String> JDBC_URL_TEXT = matching(
            Pattern.compile("jdbc:postgresql:\\S+"), "a PostgreSQL JDBC URL like jdbc:postgresql://localhost:5432/app");

    /**
     * A PostgreSQL JDBC URL with one host and only parameters every connection of the node can be
     * given ({@link DatabaseUrl}): one dropped for some connection would leave them configured apart.
     */
    static final ValueType<String> JDBC_URL = new ValueType<>() {
        @Override
        public Optional<String> read(Node node, String path, LoadContext ctx) {
            return JDBC_URL_TEXT.read(node, path, ctx).flatMap(text -> {
                try {
                    DatabaseUrl.parse(text);
                    return Optional.of(text);
                } catch (IllegalArgumentException e) {
                    ctx.error(node, path, e.getMessage());
                    return Optional.empty();
                }
            });
        }

        @Override
        public String expected() {
            return JDBC_URL_TEXT.expected();
        }

        @Override
        public Map<String, Object> schema() {
            return JDBC_URL_TEXT.schema();
        }
    };

    static final ValueType<String> ENV_VAR =
            matching(Pattern.compile("[A-Za-z_][A-Za-z0-9_]*"), "an environment variable name like SYNCLINE_DB_PASSWORD");

    static final ValueType<String> CLASS_NAME = matching(
            Pattern.compile("([A-Za-z_$][A-Za-z0-9_$]*\\.)*[A-Za-z_$][A-Za-z0-9_$]*"),
            "a fully qualified class name like com.example.MyResolver");

    static final ValueType<Boolean> BOOLEAN = new ValueType<>() {
        @Override
        public Optional<Boolean> read(Node node, String path, LoadContext ctx) {
            return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                // YAML 1.1 also reads yes/no/on/off as booleans; accept only the unambiguous spelling.
                if (text.equals("true") || text.equals("false")) {
                    return Optional.of(Boolean.valueOf(text));
                }
                ctx.error(node, path, "'" + text + "' is not a boolean; expected " + expected());
                return Optional.empty();
            });
        }

        @Override
        public String expected() {
            return "true or false";
        }

        @Override
        public Map<String, Object> schema() {
            return JsonSchemas.bool();
        }

        @Override
        public Optional<Object> written(Boolean value) {
            return Optional.of(value);
        }
    };

    static final ValueType<Duration> DURATION = new ValueType<>() {
        private final Pattern form = Pattern.compile(DURATION_FORM);

        @Override
        public Optional<Duration> read(Node node, String path, LoadContext ctx) {
            return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                Matcher m = form.matcher(text.trim());
                if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                    ctx.error(node, path, "'" + text + "' is not a duration; expected " + expected());
                    return Optional.empty();
                }
                long amount = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        return Optional.of(Duration.ofMillis(amount));
                    case "s":
                        return Optional.of(Duration.ofSeconds(amount));
                    case "m":
                        return Optional.of(Duration.ofMinutes(amount));
                    default:
                        return Optional.of(Duration.ofHours(amount));
                }
            });
        }

        @Override
        public String expected() {
            return "a positive duration with a unit, like 500ms, 30s, 5m or 1h";
        }

        @Override
        public Map<String, Object> schema() {
            // The loader trims and refuses zero; the lookahead refuses zero here too.
            return JsonSchemas.string("(?!0+(?:ms|s|m|h)$)" + DURATION_FORM);
        }

        @Override
        public Optional<Object> written(Duration value) {
            return Optional.of(spelled(value));
        }
    };

    /** A {@link #DURATION} of at most {@code max}. */
    static ValueType<Duration> durationAtMost(Duration max) {
        String maxText = spelled(max);
        return new ValueType<>() {
            @Override
            public Optional<Duration> read(Node node, String path, LoadContext ctx) {
                Optional<Duration> duration = DURATION.read(node, path, ctx);
                if (duration.isPresent() && duration.get().compareTo(max) > 0) {
                    ctx.error(node, path, "is longer than " + maxText + "; expected " + expected());
                    return Optional.empty();
                }
                return duration;
            }

            @Override
            public String expected() {
                return DURATION.expected() + ", at most " + maxText;
            }

            @Override
            public Map<String, Object> schema() {
                return DURATION.schema();
            }

            @Override
            public Optional<Object> written(Duration value) {
                return DURATION.written(value);
            }
        };
    }

    /** {@code duration} as the file would spell it, in its largest whole unit: 500ms, 10s, 5m, 1h. */
    static String spelled(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1_000 == 0 ? millis / 1_000 + "s" : millis + "ms";
    }

    /**
     * A PostgreSQL identifier as written without quotes, folded to lower case as PostgreSQL
     * folds unquoted names (PostgreSQL docs, "4.1.1 Identifiers and Key Words"), so that
     * {@code Accounts} in the file finds the catalog's {@code accounts}.
     */
    static final ValueType<String> IDENTIFIER = new ValueType<>() {
        @Override
        public Optional<String> read(Node node, String path, LoadContext ctx) {
            return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                if (!isIdentifier(text)) {
                    ctx.error(node, path, "'" + text + "' is not a column name; expected " + expected());
                    return Optional.empty();
                }
                return Optional.of(text.toLowerCase(Locale.ROOT));
            });
        }

        @Override
        public String expected() {
            return "an unquoted identifier (letters, digits, _ and $, not starting with a digit, at most 63 characters)";
        }

        @Override
        public Map<String, Object> schema() {
            return JsonSchemas.string(IDENTIFIER_FORM);
        }
    };

    /** {@code schema.table} or {@code table} (schema {@code public}); see {@link #IDENTIFIER} for case. */
    static final ValueType<TableName> TABLE_NAME = new ValueType<>() {
        @Override
        public Optional<TableName> read(Node node, String path, LoadContext ctx) {
            return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                String[] parts = text.split("\\.", -1);
                if (parts.length > 2 || !Arrays.stream(parts).allMatch(ValueTypes::isIdentifier)) {
                    ctx.error(node, path, "'" + text + "' is not a table name; expected " + expected());
                    return Optional.empty();
                }
                String schema = parts.length == 2 ? parts[0] : TableName.DEFAULT_SCHEMA;
                String table = parts[parts.length - 1];
                return Optional.of(new TableName(schema.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)));
            });
        }

        @Override
        public String expected() {
            return "schema.table or table (schema public), unquoted identifiers";
        }

        @Override
        public Map<String, Object> schema() {
            return JsonSchemas.string("(?:" + IDENTIFIER_FORM + "\\.)?" + IDENTIFIER_FORM);
        }
    };

    /** Kafka's {@code bootstrap.servers}: {@code host:port,host:port} or a YAML list of {@code host:port}. */
    static final ValueType<String> BOOTSTRAP_SERVERS = new ValueType<>() {
        private static final String HOST_PORT = "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})";
        private final Pattern hostPort = Pattern.compile(HOST_PORT);

        @Override
        public Optional<String> read(Node node, String path, LoadContext ctx) {
            List<String> servers = new ArrayList<>();
            if (node instanceof SequenceNode list && !list.getValue().isEmpty()) {
                boolean valid = true;
                for (int i = 0; i < list.getValue().size(); i++) {
                    Node item = list.getValue().get(i);
                    String itemPath = FieldPaths.item(path, i);
                    ctx.remember(itemPath, null, item);
                    Optional<String> server = Nodes.scalar(item, itemPath, ctx, "host:port")
                            .flatMap(text -> checked(text.trim(), item, itemPath, ctx));
                    valid &= server.isPresent();
                    server.ifPresent(servers::add);
                }
                return valid ? Optional.of(String.join(",", servers)) : Optional.empty();
            }
            return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                for (String server : text.split(",", -1)) {
                    Optional<String> checked = checked(server.trim(), node, path, ctx);
                    if (checked.isEmpty()) {
                        return Optional.empty();
                    }
                    servers.add(checked.get());
                }
                return Optional.of(String.join(",", servers));
            });
        }

        private Optional<String> checked(String server, Node node, String path, LoadContext ctx) {
            Matcher m = hostPort.matcher(server);
            if (m.matches()) {
                int port = Integer.parseInt(m.group(2));
                if (port >= 1 && port <= 65535) {
                    return Optional.of(server);
                }
            }
            ctx.error(node, path, "'" + server + "' is not host:port; expected " + expected());
            return Optional.empty();
        }

        @Override
        public String expected() {
            return "host:port (port 1 to 65535), several separated by commas or as a list";
        }

        @Override
        public Map<String, Object> schema() {
            String item = "\\s*" + HOST_PORT + "\\s*";
            return JsonSchemas.oneOf(JsonSchemas.string(item + "(?:," + item + ")*"),
                    JsonSchemas.arrayOf(JsonSchemas.string(item), 1));
        }
    };

    static boolean isIdentifier(String text) {
        return text.matches(IDENTIFIER_FORM);
    }

    /** A scalar with at least one character that is not white space. */
    static ValueType<String> text(String expected) {
        return matching(Pattern.compile("(?s).*\\S.*"), expected, JsonSchemas.nonEmptyString());
    }

    /** Any non-empty scalar, white space included. */
    static ValueType<String> anyText(String expected) {
        return matching(Pattern.compile("(?s).+"), expected, JsonSchemas.nonEmptyString());
    }

    /** A scalar matching {@code pattern} entirely; the pattern must read alike in Java and ECMA-262. */
    static ValueType<String> matching(Pattern pattern, String expected) {
        return matching(pattern, expected, JsonSchemas.string(pattern));
    }

    private static ValueType<String> matching(Pattern pattern, String expected, Map<String, Object> schema) {
        return new ValueType<>() {
            @Override
            public Optional<String> read(Node node, String path, LoadContext ctx) {
                return Nodes.scalar(node, path, ctx, expected).flatMap(text -> {
                    if (pattern.matcher(text).matches()) {
                        return Optional.of(text);
                    }
                    ctx.error(node, path, "'" + text + "' is invalid; expected " + expected);
                    return Optional.empty();
                });
            }

            @Override
            public String expected() {
                return expected;
            }

            @Override
            public Map<String, Object> schema() {
                return new LinkedHashMap<>(schema);
            }
        };
    }

    /** A decimal integer in {@code [min, max]}. */
    static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>() {
            @Override
            public Optional<Integer> read(Node node, String path, LoadContext ctx) {
                return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                    try {
                        int value = Integer.parseInt(text.trim());
                        if (value >= min && value <= max) {
                            return Optional.of(value);
                        }
                        ctx.error(node, path, value + " is out of range; expected " + expected());
                    } catch (NumberFormatException e) {
                        ctx.error(node, path, "'" + text + "' is not an integer; expected " + expected());
                    }
                    return Optional.empty();
                });
            }

            @Override
            public String expected() {
                return "an integer from " + min + " to " + max;
            }

            @Override
            public Map<String, Object> schema() {
                return JsonSchemas.integer(min, max);
            }

            @Override
            public Optional<Object> written(Integer value) {
                return Optional.of(value);
            }
        };
    }

    /** A file path; relative paths are resolved against the config file's directory. */
    static ValueType<Path> path(String expected) {
        return new ValueType<>() {
            @Override
            public Optional<Path> read(Node node, String path, LoadContext ctx) {
                return Nodes.scalar(node, path, ctx, expected).flatMap(text -> {
                    try {
                        return Optional.of(ctx.baseDirectory().resolve(text.trim()).normalize());
                    } catch (InvalidPathException e) {
                        ctx.error(node, path, "'" + text + "' is not a valid path; expected " + expected);
                        return Optional.empty();
                    }
                });
            }

            @Override
            public String expected() {
                return expected;
            }

            @Override
            public Map<String, Object> schema() {
                return JsonSchemas.nonEmptyString();
            }
        };
    }

    /**
     * One of the constants of an enum, by its config spelling.
     *
     * @param what what the value names, for messages, e.g. {@code "policy"}
     */
    static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type, Function<E, String> spelling, String what) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(spelling).toList();
        return new ValueType<>() {
            @Override
            public Optional<E> read(Node node, String path, LoadContext ctx) {
                return Nodes.scalar(node, path, ctx, expected()).flatMap(text -> {
                    for (E constant : type.getEnumConstants()) {
                        if (spelling.apply(constant).equals(text)) {
                            return Optional.of(constant);
                        }
                    }
                    ctx.error(node, path, "unknown " + what + " '" + text + "'"
                            + Suggestions.didYouMean(text, names) + "; expected " + expected());
                    return Optional.empty();
                });
            }

            @Override
            public String expected() {
                return "one of " + String.join(", ", names);
            }

            @Override
            public Map<String, Object> schema() {
                return JsonSchemas.enumOf(names);
            }

            @Override
            public Optional<Object> written(E value) {
                return Optional.of(spelling.apply(value));
            }
        };
    }

    /** A YAML list of at least {@code minSize} items; items are remembered as {@code path[i]}. */
    static <T> ValueType<List<T>> listOf(ValueType<T> item, int minSize) {
        return new ValueType<>() {
            @Override
            public Optional<List<T>> read(Node node, String path, LoadContext ctx) {
                if (!(node instanceof SequenceNode list)) {
                    ctx.error(node, path, "is " + Nodes.describe(node) + "; expected " + expected());
                    return Optional.empty();
                }
                if (list.getValue().size() < minSize) {
                    ctx.error(node, path, "has " + list.getValue().size() + " item(s); expected " + expected());
                    return Optional.empty();
                }
                List<T> values = new ArrayList<>();
                boolean valid = true;
                for (int i = 0; i < list.getValue().size(); i++) {
                    Node itemNode = list.getValue().get(i);
                    String itemPath = FieldPaths.item(path, i);
                    ctx.remember(itemPath, null, itemNode);
                    Optional<T> value = item.read(itemNode, itemPath, ctx);
                    valid &= value.isPresent();
                    value.ifPresent(values::add);
                }
                return valid ? Optional.of(List.copyOf(values)) : Optional.empty();
            }

            @Override
            public String expected() {
                return size() + ", each " + item.expected();
            }

            @Override
            public String summary() {
                return size() + ", each " + item.summary();
            }

            private String size() {
                return minSize <= 0 ? "a list" : minSize == 1 ? "a non-empty list" : "a list of at least " + minSize + " items";
            }

            @Override
            public Map<String, Object> schema() {
                return JsonSchemas.arrayOf(item.schema(), minSize);
            }

            @Override
            public Optional<Object> written(List<T> value) {
                // Only the empty list has a short spelling worth a default column.
                return value.isEmpty() ? Optional.of(List.of()) : Optional.empty();
            }

            @Override
            public List<Setting<?>> settings() {
                return item.settings();
            }

            @Override
            public String settingsPath() {
                return "[]" + item.settingsPath();
            }
        };
    }

    /** The config spellings of an enum's constants, for messages. */
    static <E extends Enum<E>> String spellings(Class<E> type, Function<E, String> spelling) {
        return Arrays.stream(type.getEnumConstants()).map(spelling).collect(Collectors.joining(", "));
    }
}
