package io.syncline.core.config.internal;

import io.syncline.core.config.KafkaConfig;
import io.syncline.core.config.SecurityConfig;
import java.util.List;
import java.util.Optional;

/** {@code kafka:}, how to reach one Kafka cluster (this node's own, or a peer's). */
final class KafkaSection extends Section<KafkaConfig> {

    static final Setting<String> BOOTSTRAP_SERVERS = Setting.required("bootstrap-servers",
            ValueTypes.BOOTSTRAP_SERVERS, "Kafka bootstrap.servers of the cluster");
    static final Setting<SecurityConfig> SECURITY = Setting.withDefault("security", new SecuritySection(),
            SecurityConfig.plaintext(), "authentication and encryption; PLAINTEXT when absent");

    @Override
    public List<Setting<?>> settings() {
        return List.of(BOOTSTRAP_SERVERS, SECURITY);
    }

    @Override
    Optional<KafkaConfig> read(MapReader map) {
        Optional<String> servers = BOOTSTRAP_SERVERS.read(map);
        Optional<SecurityConfig> security = SECURITY.read(map);
        if (!allPresent(servers, security)) {
            return Optional.empty();
        }
        return Optional.of(new KafkaConfig(servers.get(), security.get()));
    }
}
