package io.syncline.core.config;

import java.util.Objects;

/**
 * This node's own PostgreSQL ({@code database:}).
 *
 * @param url JDBC URL, {@code jdbc:postgresql:...}; never null
 * @param user role the node connects as; never null
 * @param password the role's password, read lazily; never null
 * @param poolSize maximum number of pooled connections, at least 1
 */
public record DatabaseConfig(String url, String user, Secret password, int poolSize) {

    public DatabaseConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
        }
    }
}
