package io.syncline.core.config;

import java.util.Objects;

/**
 * HTTP basic authentication of the node's {@code /metrics} and {@code /status}
 * ({@code metrics.basic-auth}).
 *
 * @param username the one user name accepted
 * @param password its password
 */
public record MetricsBasicAuth(String username, Secret password) {

    public MetricsBasicAuth {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }
}
