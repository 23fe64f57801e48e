package io.syncline.it.policy;

import io.syncline.core.spi.ConflictResolver;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A custom resolver for tests: a written row beats a delete, and two rows merge column by column
 * into the sorted union of their {@code |}-separated tokens. Symmetric, associative and
 * idempotent, so every node reaches the same row in any delivery order. Stateless, thread-safe.
 */
public final class UnionResolver implements ConflictResolver {

    @Override
    public Resolution resolve(RowConflict conflict) {
        if (!conflict.remote().exists()) {
            return Resolution.keepLocal();
        }
        if (!conflict.local().exists()) {
            return Resolution.takeRemote();
        }
        Map<String, String> merged = new LinkedHashMap<>();
        conflict.local().values().forEach((column, local) -> {
            String remote = conflict.remote().values().get(column);
            merged.put(column, conflict.key().containsKey(column) ? local : union(local, remote));
        });
        return Resolution.merged(merged);
    }

    private static String union(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Stream.of(a, b).flatMap(s -> Arrays.stream(s.split("\\|")))
                .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining("|"));
    }
}
