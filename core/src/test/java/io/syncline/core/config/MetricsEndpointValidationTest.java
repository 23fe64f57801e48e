package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.RING;
import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointValidationTest {

    @TempDir
    Path dir;

    private final int firstLine = (int) RING.lines().count() + 1;

    @Test
    void tlsAndBasicAuthAreReadWithTheirSecrets() {
        MetricsSettings metrics = load(dir, RING + """
                metrics:
                  listen: 0.0.0.0:9464
                  tls:
                    keystore: certs/metrics.p12
                    keystore-password-env: METRICS_KEYSTORE_PASSWORD
                  basic-auth:
                    username: prometheus
                    password-file: certs/metrics.password
                """).metrics();

        assertThat(metrics.scheme()).isEqualTo("https");
        assertThat(metrics.tls().orElseThrow().keystore()).isEqualTo(dir.resolve("certs/metrics.p12"));
        assertThat(metrics.tls().orElseThrow().keystorePassword()).isEqualTo(
                Secret.fromEnvironment("METRICS_KEYSTORE_PASSWORD", ""));
        assertThat(metrics.basicAuth().orElseThrow().username()).isEqualTo("prometheus");
        assertThat(metrics.basicAuth().orElseThrow().password()).isEqualTo(
                Secret.fromFile(dir.resolve("certs/metrics.password"), ""));
    }

    @Test
    void plainHttpWithoutAuthenticationIsTheDefault() {
        MetricsSettings metrics = load(dir, RING + "metrics:\n  listen: 127.0.0.1:9464\n").metrics();
        assertThat(metrics.scheme()).isEqualTo("http");
        assertThat(metrics.tls()).isEmpty();
        assertThat(metrics.basicAuth()).isEmpty();
    }

    @Test
    void missingPasswordsAreReportedTogetherWithTheirLines() {
        List<ConfigProblem> found = problems(dir, RING + """
                metrics:
                  listen: 0.0.0.0:9464
                  tls:
                    keystore: metrics.p12
                  basic-auth:
                    username: prometheus
                """);

        assertThat(found).extracting(ConfigProblem::fieldPath)
                .containsExactly("metrics.tls.keystore-password-env", "metrics.basic-auth.password-env");
        assertThat(found).extracting(ConfigProblem::line).containsExactly(firstLine + 2, firstLine + 4);
        assertThat(found.get(1).message()).startsWith("missing password of the metrics endpoint; expected password-env");
    }

    @Test
    void tlsWithoutAListenAddressIsRefused() {
        ConfigProblem p = onlyProblem(dir, RING + """
                metrics:
                  tls:
                    keystore: metrics.p12
                    keystore-password-env: METRICS_KEYSTORE_PASSWORD
                """);

        assertThat(p.fieldPath()).isEqualTo("metrics.tls");
        assertThat(p.line()).isEqualTo(firstLine + 1);
        assertThat(p.message()).startsWith("nothing is served without metrics.listen");
    }

    @Test
    void aPlainTextPasswordNeedsThePlainTextOptIn() {
        ConfigProblem p = onlyProblem(dir, RING + """
                metrics:
                  listen: 0.0.0.0:9464
                  basic-auth:
                    username: prometheus
                    password: hunter2
                """);

        assertThat(p.fieldPath()).isEqualTo("metrics.basic-auth.password");
        assertThat(p.message()).startsWith("plain-text password of the metrics endpoint refused");
    }
}
