package io.syncline.core.config;

import java.util.Objects;

/**
 * How to reach one Kafka cluster: this node's own ({@code kafka:}), where it writes, or a
 * peer's ({@code peers[i].kafka}), where it reads.
 *
 * @param bootstrapServers comma-separated {@code host:port} list, as Kafka's
 *     {@code bootstrap.servers} takes it; never null or empty
 * @param security authentication and encryption; {@link SecurityConfig#plaintext()} when not configured
 */
public record KafkaConfig(String bootstrapServers, SecurityConfig security) {

    public KafkaConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(security, "security");
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("bootstrapServers is empty");
        }
    }
}
