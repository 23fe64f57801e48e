package io.syncline.core.config.internal;

import io.syncline.core.config.OnError;
import io.syncline.core.config.TableName;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/** {@code tables[i]}: a table name, or {@code {name: ..., conflict: {...}, on-error: park|stop}}. */
final class TableSection implements ValueType<TableEntry> {

    static final Setting<TableName> NAME = Setting.required("name", ValueTypes.TABLE_NAME,
            "the replicated table");
    static final Setting<TableConflict> CONFLICT = Setting.withDefault("conflict", new TableConflictSection(),
            TableConflict.NONE, "conflict rule of this table and its columns");
    static final Setting<OnError> ON_ERROR = Setting.withDefault("on-error",
            ValueTypes.oneOf(OnError.class, OnError::configName, "on-error"), OnError.PARK,
            "what the applier does with a remote transaction this database refuses in the table (a unique index on"
                    + " another column, a check, a foreign key, a value out of range): park writes it whole to"
                    + " syncline.dead_letter and goes on (syncline conflicts parked, conflicts retry); stop stops the link"
                    + " in FAILED. See docs/failures.md");

    private final Section<TableEntry> longForm = new Section<>() {
        @Override
        public List<Setting<?>> settings() {
            return List.of(NAME, CONFLICT, ON_ERROR);
        }

        @Override
        Optional<TableEntry> read(MapReader map) {
            Optional<TableName> name = NAME.read(map);
            Optional<TableConflict> conflict = CONFLICT.read(map);
            Optional<OnError> onError = ON_ERROR.read(map);
            if (!allPresent(name, conflict, onError)) {
                return Optional.empty();
            }
            String namePath = map.child(NAME.key());
            return Optional.of(new TableEntry(name.get(), namePath, map.context().locationOf(namePath), conflict.get(),
                    onError.get()));
        }
    };

    @Override
    public Optional<TableEntry> read(Node node, String path, LoadContext ctx) {
        if (node instanceof MappingNode) {
            return longForm.read(node, path, ctx);
        }
        return ValueTypes.TABLE_NAME.read(node, path, ctx)
                .map(name -> new TableEntry(name, path, ctx.locate(node), TableConflict.NONE, OnError.PARK));
    }

    @Override
    public String expected() {
        return "a table name or " + longForm.expected();
    }

    @Override
    public String summary() {
        return "a table name (" + ValueTypes.TABLE_NAME.expected() + ") or a mapping";
    }

    @Override
    public Map<String, Object> schema() {
        return JsonSchemas.oneOf(ValueTypes.TABLE_NAME.schema(), longForm.schema());
    }

    @Override
    public List<Setting<?>> settings() {
        return longForm.settings();
    }
}
