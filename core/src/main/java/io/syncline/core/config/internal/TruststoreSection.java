package io.syncline.core.config.internal;

import io.syncline.core.config.TruststoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code security.truststore:}, the certificates a TLS Kafka client trusts. */
final class TruststoreSection extends Section<TruststoreConfig> {

    static final Setting<Path> PATH = Setting.required("path",
            ValueTypes.path("a truststore file path (relative to this config file)"),
            "truststore file, PKCS12 or JKS");
    static final SecretSetting PASSWORD = SecretSetting.optional("password", "truststore password");

    @Override
    public List<Setting<?>> settings() {
        return concat(List.of(PATH), PASSWORD.settings());
    }

    @Override
    List<SecretSetting> secrets() {
        return List.of(PASSWORD);
    }

    @Override
    Optional<TruststoreConfig> read(MapReader map) {
        Optional<Path> path = PATH.read(map);
        boolean hasPassword = PASSWORD.isIn(map);
        var password = PASSWORD.read(map);
        if (path.isEmpty() || (hasPassword && password.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new TruststoreConfig(path.get(), password));
    }
}
