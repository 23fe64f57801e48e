package io.syncline.conflict;

import io.syncline.core.spi.RowState;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The PN-counter merge of {@code delta} columns (Shapiro et al., "A comprehensive study of
 * Convergent and Commutative Replicated Data Types", 2011, counters). Each version records, per
 * node, that node's cumulative contribution to the column; a node's contribution only changes
 * when the node writes the row, which also raises its version-vector entry. So for each node the
 * side with the greater entry holds the newer contribution, and the merge takes it node by node
 * (ties, possible only across a delete and re-insert, take the greater amount): commutative,
 * associative and idempotent. The merged value is the local value moved by the difference of the
 * contributions, which equals the initial value plus the sum of all contributions on every node.
 * Stateless and thread-safe.
 */
public final class Counters {

    private Counters() {}

    /** The merged contributions to {@code column}, node -> amount. */
    public static Map<String, BigDecimal> merge(RowState local, RowState remote, String column) {
        Map<String, BigDecimal> localShares = local.metadata().countersOf(column);
        Map<String, BigDecimal> remoteShares = remote.metadata().countersOf(column);
        TreeSet<String> nodes = new TreeSet<>(localShares.keySet());
        nodes.addAll(remoteShares.keySet());
        Map<String, BigDecimal> merged = new TreeMap<>();
        for (String node : nodes) {
            long localCounter = local.version().vector().counterOf(node);
            long remoteCounter = remote.version().vector().counterOf(node);
            BigDecimal localShare = localShares.getOrDefault(node, BigDecimal.ZERO);
            BigDecimal remoteShare = remoteShares.getOrDefault(node, BigDecimal.ZERO);
            BigDecimal share;
            if (localCounter != remoteCounter) {
                share = localCounter > remoteCounter ? localShare : remoteShare;
            } else {
                share = localShare.compareTo(remoteShare) >= 0 ? localShare : remoteShare;
            }
            merged.put(node, share);
        }
        return merged;
    }

    /**
     * The merged value of a delta column: the local value plus what the merge adds to the local
     * contributions. Empty when neither side recorded contributions for the column, or the local
     * value is not a finite number.
     */
    public static Optional<String> mergedValue(RowState local, RowState remote, String column) {
        Map<String, BigDecimal> localShares = local.metadata().countersOf(column);
        if (localShares.isEmpty() && remote.metadata().countersOf(column).isEmpty()) {
            return Optional.empty();
        }
        String localText = local.values().get(column);
        Optional<BigDecimal> localValue = localText == null ? Optional.of(BigDecimal.ZERO) : TypedValues.decimal(localText);
        if (localValue.isEmpty()) {
            return Optional.empty();
        }
        BigDecimal value = localValue.get();
        for (Map.Entry<String, BigDecimal> merged : merge(local, remote, column).entrySet()) {
            value = value.add(merged.getValue()).subtract(localShares.getOrDefault(merged.getKey(), BigDecimal.ZERO));
        }
        return Optional.of(value.toPlainString());
    }
}
