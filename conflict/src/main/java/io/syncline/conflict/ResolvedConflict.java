package io.syncline.conflict;

import io.syncline.core.spi.ConflictType;
import java.util.Map;

/**
 * A conflict the applier resolved and committed (it is also in {@code syncline.conflict_log}).
 *
 * @param originPosition the origin position of the source transaction that carried the remote change
 */
public record ResolvedConflict(
        String table,
        Map<String, String> key,
        ConflictType type,
        String rule,
        Winner winner,
        String originNode,
        long originPosition) {}
