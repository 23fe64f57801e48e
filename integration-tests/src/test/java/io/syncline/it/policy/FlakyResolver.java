package io.syncline.it.policy;

import io.syncline.core.spi.ConflictResolver;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.LinkedHashMap;
import java.util.Map;

/** A custom resolver that throws while {@link #broken} is set, else merges: the greater text of each column. */
public class FlakyResolver implements ConflictResolver {

    public static volatile boolean broken = true;

    @Override
    public Resolution resolve(RowConflict conflict) {
        if (broken) {
            throw new IllegalStateException("resolver bug");
        }
        Map<String, String> merged = new LinkedHashMap<>();
        conflict.local().values().forEach((column, local) -> {
            String remote = conflict.remote().values().get(column);
            merged.put(column, local == null ? remote : remote == null ? local : local.compareTo(remote) >= 0 ? local : remote);
        });
        return Resolution.merged(merged);
    }
}
