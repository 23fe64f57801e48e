package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.problems;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityValidationTest {

    private static final String BOOTSTRAP = "  bootstrap-servers: localhost:9092";

    @TempDir
    Path dir;

    private static String withSecurity(String security) {
        return ringWith(BOOTSTRAP, BOOTSTRAP + "\n  security:\n" + security.indent(4).stripTrailing());
    }

    @Test
    void saslSslWithLoginAndTruststoreIsAccepted() {
        NodeConfig config = load(dir, withSecurity("""
                protocol: SASL_SSL
                sasl-mechanism: SCRAM-SHA-512
                username: syncline
                password-env: KAFKA_PASSWORD
                truststore:
                  path: certs/truststore.p12
                  password-file: certs/truststore.password"""));

        SecurityConfig security = config.kafka().security();
        assertThat(security.protocol()).isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(security.saslMechanism()).contains(SaslMechanism.SCRAM_SHA_512);
        assertThat(security.username()).contains("syncline");
        assertThat(security.password()).contains(Secret.fromEnvironment("KAFKA_PASSWORD", ""));
        assertThat(security.truststore().orElseThrow().path()).isEqualTo(dir.resolve("certs/truststore.p12"));
    }

    @Test
    void saslProtocolWithoutLoginIsRejected() {
        List<ConfigProblem> found = problems(dir, withSecurity("protocol: SASL_PLAINTEXT"));

        assertThat(found).extracting(ConfigProblem::fieldPath).containsExactly(
                "kafka.security.sasl-mechanism", "kafka.security.username", "kafka.security.password-env");
        assertThat(found).allSatisfy(p -> {
            assertThat(p.line()).isEqualTo(11);
            assertThat(p.column()).isEqualTo(15);
        });
        assertThat(found.get(0).message()).isEqualTo("missing; protocol SASL_PLAINTEXT needs it; "
                + "expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
    }

    @Test
    void saslSettingsWithoutSaslProtocolAreRejected() {
        ConfigProblem p = onlyProblem(dir, withSecurity("protocol: SSL\nusername: syncline"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(5);
        assertThat(p.fieldPath()).isEqualTo("kafka.security.username");
        assertThat(p.message()).isEqualTo(
                "only SASL protocols use username; expected SASL_PLAINTEXT or SASL_SSL as protocol, or no username with SSL");
    }

    @Test
    void truststoreWithoutTlsIsRejected() {
        ConfigProblem p = onlyProblem(dir, withSecurity("truststore: {path: ts.p12}"));

        assertThat(p.line()).isEqualTo(11);
        assertThat(p.fieldPath()).isEqualTo("kafka.security.truststore");
        assertThat(p.message()).startsWith("only TLS protocols use a truststore");
    }

    @Test
    void unknownProtocolSuggestsTheRightSpelling() {
        ConfigProblem p = onlyProblem(dir, withSecurity("protocol: SASL-SSL"));

        assertThat(p.fieldPath()).isEqualTo("kafka.security.protocol");
        assertThat(p.message()).isEqualTo("unknown security protocol 'SASL-SSL' (did you mean 'SASL_SSL'?); "
                + "expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    }
}
