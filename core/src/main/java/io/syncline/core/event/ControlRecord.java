package io.syncline.core.event;

import io.syncline.core.schema.ReplicationSchema;
import java.util.Optional;

/**
 * Syncline's own records that travel in an origin's stream beside the user's changes, each
 * committed in a transaction of the origin and so ordered with its writes. They are rows of
 * Syncline's tables at the origin, captured from the WAL like any row, and travel in the body
 * format as the {@link RowChange} of that table ({@link #toRowChange()}); a receiving node reads
 * them back with {@link #of(RowChange)} and hands each kind to its own handler. Never a row to
 * write as it is, never in conflict with anything.
 *
 * <p>A delete is not a control record: it travels as the delete of the user's row, with the
 * version its tombstone holds (docs/protocol.md).
 */
public sealed interface ControlRecord permits ProgressReport, SchemaChangeRecord {

    /** The change this record travels as. */
    RowChange toRowChange();

    /**
     * The control record {@code change} carries, or empty for a change of a user table.
     *
     * @throws IllegalArgumentException when {@code change} is of a control table but lacks what that record needs
     */
    static Optional<ControlRecord> of(RowChange change) {
        return kindOf(change).map(kind -> {
            if (kind == ProgressReport.class) {
                return ProgressReport.from(change);
            }
            if (kind == SchemaChangeRecord.class) {
                return SchemaChangeRecord.from(change);
            }
            throw new IllegalStateException("no reader for control records of kind " + kind.getSimpleName());
        });
    }

    /** The kind of control record {@code change} carries, told by its table alone, or empty for a user table's change. */
    static Optional<Class<? extends ControlRecord>> kindOf(RowChange change) {
        return switch (change.table()) {
            case ReplicationSchema.PROGRESS_REPORT_TABLE -> Optional.of(ProgressReport.class);
            case ReplicationSchema.SCHEMA_CHANGE_TABLE -> Optional.of(SchemaChangeRecord.class);
            default -> Optional.empty();
        };
    }

    /** Whether every change of {@code transaction} is a control record of {@code kind}. */
    static boolean onlyOf(SourceTransaction transaction, Class<? extends ControlRecord> kind) {
        return !transaction.changes().isEmpty()
                && transaction.changes().stream().allMatch(change -> kindOf(change).filter(kind::equals).isPresent());
    }

    /** Whether any change of {@code transaction} is a control record of {@code kind}. */
    static boolean anyOf(SourceTransaction transaction, Class<? extends ControlRecord> kind) {
        return transaction.changes().stream().anyMatch(change -> kindOf(change).filter(kind::equals).isPresent());
    }
}
