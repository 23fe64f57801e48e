package io.syncline.conflict;

import io.syncline.core.spi.ConflictResolver;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.LinkedHashMap;
import java.util.Map;

/** A deterministic custom resolver: two rows merge column by column to the greater text; a delete race goes by clock. */
public class SymmetricTestResolver implements ConflictResolver {

    @Override
    public Resolution resolve(RowConflict conflict) {
        if (!conflict.local().exists() || !conflict.remote().exists()) {
            return conflict.remote().version().clock().isAfter(conflict.local().version().clock())
                    ? Resolution.takeRemote() : Resolution.keepLocal();
        }
        Map<String, String> merged = new LinkedHashMap<>();
        conflict.local().values().forEach((column, local) -> {
            String remote = conflict.remote().values().get(column);
            merged.put(column, local == null ? remote : remote == null ? local : local.compareTo(remote) >= 0 ? local : remote);
        });
        return Resolution.merged(merged);
    }
}
