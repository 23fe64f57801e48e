package io.syncline.core.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A conflict policy with its parameters, for a table, a column, or the default.
 *
 * <p>The loader guarantees: {@code originPriority} is non-empty exactly for
 * {@link ConflictPolicy#ORIGIN_PRIORITY} and then ranks every node of the topology once;
 * {@code resolverClass} is present exactly for {@link ConflictPolicy#CUSTOM} and names a
 * loadable, instantiable implementation of {@code io.syncline.core.spi.ConflictResolver}.
 *
 * @param policy the policy
 * @param originPriority node ids, highest priority first
 * @param resolverClass fully qualified class name of the custom resolver
 */
public record ConflictRule(ConflictPolicy policy, List<String> originPriority, Optional<String> resolverClass) {

    public ConflictRule {
        Objects.requireNonNull(policy, "policy");
        originPriority = List.copyOf(originPriority);
        Objects.requireNonNull(resolverClass, "resolverClass");
    }

    /** A rule with no parameters, e.g. {@code of(ConflictPolicy.LWW)}. */
    public static ConflictRule of(ConflictPolicy policy) {
        return new ConflictRule(policy, List.of(), Optional.empty());
    }
}
