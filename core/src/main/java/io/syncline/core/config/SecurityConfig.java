package io.syncline.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * How a Kafka client authenticates and encrypts ({@code kafka.security}).
 *
 * <p>The loader guarantees: {@code saslMechanism}, {@code username} and {@code password}
 * are present exactly when {@code protocol.usesSasl()}; {@code truststore} is present only
 * when {@code protocol.usesTls()}.
 *
 * @param protocol Kafka {@code security.protocol}
 * @param saslMechanism Kafka {@code sasl.mechanism}, for SASL protocols
 * @param username SASL username, for SASL protocols
 * @param password SASL password, for SASL protocols
 * @param truststore truststore for TLS protocols; absent means the JVM's default trust
 */
public record SecurityConfig(
        SecurityProtocol protocol,
        Optional<SaslMechanism> saslMechanism,
        Optional<String> username,
        Optional<Secret> password,
        Optional<TruststoreConfig> truststore) {

    public SecurityConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(saslMechanism, "saslMechanism");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(truststore, "truststore");
    }

    /** No authentication, no encryption: what an absent {@code security:} means. */
    public static SecurityConfig plaintext() {
        return new SecurityConfig(
                SecurityProtocol.PLAINTEXT, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
