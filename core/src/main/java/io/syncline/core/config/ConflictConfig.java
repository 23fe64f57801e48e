package io.syncline.core.config;

import java.util.Objects;

/**
 * The node-wide conflict settings ({@code conflict:}).
 *
 * @param defaultRule the rule of every table that has no {@code conflict:} of its own
 */
public record ConflictConfig(ConflictRule defaultRule) {

    public ConflictConfig {
        Objects.requireNonNull(defaultRule, "defaultRule");
    }
}
