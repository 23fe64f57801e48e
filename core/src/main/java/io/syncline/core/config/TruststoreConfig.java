package io.syncline.core.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS truststore used to check a Kafka cluster's certificates ({@code security.truststore}).
 *
 * @param path the truststore file (PKCS12 or JKS); relative paths were resolved against the
 *     config file's directory; never null
 * @param password the truststore password, if it has one
 */
public record TruststoreConfig(Path path, Optional<Secret> password) {

    public TruststoreConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(password, "password");
    }
}
