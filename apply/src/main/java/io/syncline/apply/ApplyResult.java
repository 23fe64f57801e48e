package io.syncline.apply;

import io.syncline.core.spi.ConflictType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one {@link TransactionApplier#apply} call (or one of its target transactions) did.
 *
 * @param appliedTransactions   source transactions applied (peers' progress reports, which are bookkeeping, not counted)
 * @param duplicateTransactions source transactions skipped because their origin position was already applied
 * @param echoTransactions      source transactions skipped because they came from (or passed through) this node
 * @param rowsWritten           row changes that wrote the target table or the tombstones (including version
 *                              vector updates of a local version that won a conflict)
 * @param rowsSkipped           row changes skipped as already applied or superseded (remote version before or
 *                              equal to the local one)
 * @param targetTransactions    target database transactions committed
 * @param conflicts             resolved conflicts by type; types without conflicts are absent
 * @param parkedChanges         dead letters written to {@code syncline.dead_letter}: row changes whose resolution failed,
 *                              and source transactions the database refused (one each; not counted as applied)
 */
public record ApplyResult(
        int appliedTransactions,
        int duplicateTransactions,
        int echoTransactions,
        long rowsWritten,
        long rowsSkipped,
        int targetTransactions,
        Map<ConflictType, Integer> conflicts,
        int parkedChanges) {

    public static final ApplyResult EMPTY = new ApplyResult(0, 0, 0, 0, 0, 0, Map.of(), 0);

    public ApplyResult(int appliedTransactions, int duplicateTransactions, int echoTransactions, long rowsWritten,
            long rowsSkipped, int targetTransactions, Map<ConflictType, Integer> conflicts) {
        this(appliedTransactions, duplicateTransactions, echoTransactions, rowsWritten, rowsSkipped, targetTransactions,
                conflicts, 0);
    }

    public ApplyResult {
        EnumMap<ConflictType, Integer> copy = new EnumMap<>(ConflictType.class);
        conflicts.forEach((type, count) -> {
            if (count > 0) {
                copy.put(type, count);
            }
        });
        conflicts = Collections.unmodifiableMap(copy);
    }

    public int conflictCount() {
        return conflicts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int conflicts(ConflictType type) {
        return conflicts.getOrDefault(type, 0);
    }

    public ApplyResult plus(ApplyResult other) {
        EnumMap<ConflictType, Integer> sum = new EnumMap<>(ConflictType.class);
        sum.putAll(conflicts);
        other.conflicts.forEach((type, count) -> sum.merge(type, count, Integer::sum));
        return new ApplyResult(
                appliedTransactions + other.appliedTransactions,
                duplicateTransactions + other.duplicateTransactions,
                echoTransactions + other.echoTransactions,
                rowsWritten + other.rowsWritten,
                rowsSkipped + other.rowsSkipped,
                targetTransactions + other.targetTransactions,
                sum,
                parkedChanges + other.parkedChanges);
    }
}
