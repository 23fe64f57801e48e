package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.conflict.RowPlan;

/**
 * What a row's plan writes, derived once from the plan and the local state it was decided
 * against; the writers ({@link SingleRowWriter}, {@link BatchedRowWriter}) carry it out.
 */
enum WriteOp {
    /** Nothing: the local state already holds the change. */
    SKIP(Check.NONE),
    /** Inserts the row; nothing when a local writer inserted the key first. */
    INSERT_ROW(Check.RACE),
    /** Updates the locked row, which must still be there. */
    UPDATE_ROW(Check.ONE),
    /** Deletes the row and writes its tombstone. */
    DELETE_ROW(Check.NONE),
    /** Replaces the key's tombstone. */
    UPSERT_TOMBSTONE(Check.NONE),
    /** Writes the key's tombstone; nothing when a local writer wrote one first. */
    INSERT_TOMBSTONE_IF_ABSENT(Check.RACE),
    /** Keeps the local row and sets its version (the plan's merge of both). */
    SET_ROW_VERSION(Check.NONE),
    /** Keeps the local tombstone and sets its version. */
    SET_TOMBSTONE_VERSION(Check.NONE);

    /** How the update count of the operation's main statement is checked. */
    enum Check {
        /** Any count. */
        NONE,
        /** Exactly one row, else the locked row vanished. */
        ONE,
        /** Zero means a local writer inserted the key first: read and decide again. */
        RACE
    }

    private final Check check;

    WriteOp(Check check) {
        this.check = check;
    }

    Check check() {
        return check;
    }

    /** The operation carrying out {@code plan}, decided against {@code local}. */
    static WriteOp of(LocalState local, RowPlan plan) {
        boolean row = local.kind() == LocalState.Kind.ROW;
        return switch (plan.action()) {
            case SKIP -> SKIP;
            case UPSERT_ROW -> row ? UPDATE_ROW : INSERT_ROW;
            case DELETE_ROW -> DELETE_ROW;
            case WRITE_TOMBSTONE -> local.kind() == LocalState.Kind.TOMBSTONE ? UPSERT_TOMBSTONE : INSERT_TOMBSTONE_IF_ABSENT;
            case KEEP_LOCAL -> row ? SET_ROW_VERSION : SET_TOMBSTONE_VERSION;
        };
    }
}
