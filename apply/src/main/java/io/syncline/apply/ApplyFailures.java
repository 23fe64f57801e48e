package io.syncline.apply;

import io.syncline.apply.internal.ApplyErrorClassifier;
import io.syncline.apply.internal.ChangeFailure;
import io.syncline.apply.internal.LocalSchemaMismatch;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.sql.SQLException;

/**
 * What the applier reports for a failure: retriable, a schema mismatch to wait out, or permanent,
 * each naming the transaction and change it happened in when the failure carries them
 * ({@link ChangeFailure}). Stateless.
 */
final class ApplyFailures {

    private static final ApplyErrorClassifier classifier = new ApplyErrorClassifier();

    private ApplyFailures() {}

    /**
     * The exception that reports {@code e}, with the transaction and change it happened in when it
     * names them ({@link ChangeFailure}).
     *
     * @throws RetriableApplyException when {@code e} is transient
     */
    static ApplyException of(Exception e, String prefix, String upstreamNode) throws RetriableApplyException {
        ChangeFailure located = ChangeFailure.of(e);
        SourceTransaction transaction = located == null ? null : located.transaction();
        RowChange change = located == null ? null : located.change();
        String where = transaction == null
                ? "while applying a batch from " + upstreamNode
                : "while applying transaction " + transaction.originTxId() + " of " + transaction.originNode()
                        + " at position " + transaction.originPosition()
                        + (change == null ? "" : ", " + change.operation() + " of " + change.table() + " key " + change.key());
        // Some exceptions carry no message (ConcurrentModificationException): their name is the clue.
        String cause = e.getMessage() == null ? ChangeFailure.unwrap(e).toString() : e.getMessage();
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            cause = "SQLSTATE " + sql.getSQLState() + ": " + cause;
        }
        if (e instanceof SQLException && classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
            throw new RetriableApplyException(prefix + " transient failure " + where + " (rolled back; apply the batch again): "
                    + cause, e);
        }
        if (ChangeFailure.unwrap(e) instanceof LocalSchemaMismatch mismatch) {
            return new SchemaMismatchException(prefix + " schema mismatch " + where + ": " + cause
                    + ". Nothing of it was applied and the origin's position did not advance; the link waits and applies"
                    + " it once this node's table matches (apply the same schema change here)",
                    transaction == null ? null : transaction.originNode(),
                    transaction == null ? -1 : transaction.originPosition(), mismatch.table(), mismatch.column(),
                    mismatch.sourceType(), mismatch.localType(), e);
        }
        if (classifier.isDroppedColumn(e)) {
            // A column this applier still had in its cached table shape is gone: `syncline ddl` dropped it here since.
            // The cache is cleared (above); waiting as for a mismatch applies it again with the table read afresh.
            return new SchemaMismatchException(prefix + " schema mismatch " + where + ": " + cause + ". The table changed"
                    + " while the link applied it; nothing was applied, and the link applies it again with the table read"
                    + " afresh", transaction == null ? null : transaction.originNode(),
                    transaction == null ? -1 : transaction.originPosition(), change == null ? null : change.table(), null,
                    null, null, e);
        }
        return new ApplyException(prefix + " permanent failure " + where + ": " + cause
                + ". The target transaction was rolled back and the origin's position did not advance; fix the cause"
                + " (schema or data on this node) and restart the link, which resumes at this transaction",
                transaction == null ? null : transaction.originNode(),
                transaction == null ? -1 : transaction.originPosition(),
                change == null ? null : change.table(), e);
    }
}
