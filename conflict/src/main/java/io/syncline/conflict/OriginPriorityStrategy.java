package io.syncline.conflict;

import io.syncline.core.spi.RowConflict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code origin-priority}: the version written by the node ranked higher survives; versions of
 * the same node, or of nodes left out of the ranking, fall back to last-write-wins. The writer of
 * a version is the node of its clock (for a kept side, the writer of the kept version). Stateless
 * and thread-safe.
 */
public final class OriginPriorityStrategy extends SidePickingStrategy {

    private final Map<String, Integer> rank = new HashMap<>();
    private final String ruleName;

    /** @param ranking node ids, highest priority first */
    public OriginPriorityStrategy(List<String> ranking) {
        for (int i = 0; i < ranking.size(); i++) {
            rank.putIfAbsent(ranking.get(i), i);
        }
        this.ruleName = "origin-priority" + ranking;
    }

    @Override
    public String ruleName() {
        return ruleName;
    }

    @Override
    boolean localWins(RowConflict conflict) {
        int local = rank.getOrDefault(conflict.local().version().clock().nodeId(), Integer.MAX_VALUE);
        int remote = rank.getOrDefault(conflict.remote().version().clock().nodeId(), Integer.MAX_VALUE);
        if (local != remote) {
            return local < remote;
        }
        return LastWriteWinsStrategy.INSTANCE.localWins(conflict);
    }
}
