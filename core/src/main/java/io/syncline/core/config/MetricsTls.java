package io.syncline.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS of the node's HTTP endpoint ({@code metrics.tls}): the keystore holding its private key and
 * certificate chain.
 *
 * @param keystore         a PKCS12 or JKS file; relative paths were resolved against the config file's directory
 * @param keystorePassword the password of the keystore and of its key
 */
public record MetricsTls(Path keystore, Secret keystorePassword) {

    public MetricsTls {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
    }
}
