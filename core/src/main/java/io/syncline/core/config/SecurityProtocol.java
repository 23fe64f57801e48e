package io.syncline.core.config;

/** Kafka's {@code security.protocol}, spelled as Kafka spells it. */
public enum SecurityProtocol {
    PLAINTEXT,
    SSL,
    SASL_PLAINTEXT,
    SASL_SSL;

    /** Whether the protocol authenticates with SASL (mechanism, username and password needed). */
    public boolean usesSasl() {
        return this == SASL_PLAINTEXT || this == SASL_SSL;
    }

    /** Whether the protocol encrypts with TLS (a truststore may be given). */
    public boolean usesTls() {
        return this == SSL || this == SASL_SSL;
    }
}
