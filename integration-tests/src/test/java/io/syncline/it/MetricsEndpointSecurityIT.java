package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.node.monitor.NodeMonitor;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * dc-a serves its endpoint over HTTPS with a self-signed certificate this test makes with the
 * JDK's keytool, and asks for basic authentication on /metrics and /status; the probes stay open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsEndpointSecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String KEYSTORE_PASSWORD = "keystore-pw-123";
    private static final String USER = "prometheus";
    private static final String PASSWORD = "scrape-pw-456";

    private DcCluster cluster;
    private NodeMonitor monitor;
    private int port;
    private Path keystore;
    private HttpClient trusting;

    @BeforeAll
    void startNodeWithTlsAndBasicAuth() throws Exception {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id int PRIMARY KEY, val text)")
                .replicate("it.items")
                .start();
        Path dir = cluster.configFile("dc-a").getParent();
        keystore = dir.resolve("metrics.p12");
        keytool("-genkeypair", "-alias", "dc-a", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=dc-a",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD);
        Files.writeString(dir.resolve("metrics-keystore.password"), KEYSTORE_PASSWORD + "\n");
        Files.writeString(dir.resolve("metrics.password"), PASSWORD + "\n");
        port = freePort();
        Files.writeString(cluster.configFile("dc-a"), "metrics:\n  listen: 127.0.0.1:" + port + "\n"
                + "  tls:\n    keystore: metrics.p12\n    keystore-password-file: metrics-keystore.password\n"
                + "  basic-auth:\n    username: " + USER + "\n    password-file: metrics.password\n", StandardOpenOption.APPEND);
        cluster.startAllNodes();
        monitor = NodeMonitor.start(cluster.node("dc-a"), NodeConfigLoader.load(cluster.configFile("dc-a")), Clock.systemUTC())
                .orElseThrow();
        trusting = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() {
        if (monitor != null) {
            monitor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void metricsAndStatusAskForTheCredentialsOverTls() throws Exception {
        HttpResponse<String> anonymous = get("/metrics", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(get("/metrics", USER + ":wrong").statusCode()).isEqualTo(401);
        assertThat(get("/status", null).statusCode()).isEqualTo(401);

        await("an authenticated scrape shows the link").atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> scrape = get("/metrics", USER + ":" + PASSWORD);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("syncline_link_state{state=\"STREAMING\",upstream=\"dc-b\"} 1");
        });
        assertThat(get("/status", USER + ":" + PASSWORD).body()).contains("\"node\" : \"dc-a\"");
    }

    @Test
    void probesAnswerWithoutCredentials() throws Exception {
        await("dc-a ready").atMost(WAIT).untilAsserted(() -> assertThat(get("/readyz", null).statusCode()).isEqualTo(200));
        assertThat(get("/livez", null).statusCode()).isEqualTo(200);
    }

    @Test
    void plainHttpAndUntrustedClientsGetNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Throwable overHttp = catchThrowable(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/livez")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(overHttp).isInstanceOf(IOException.class);
        Throwable untrusted = catchThrowable(() -> plain.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/livez")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(untrusted).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void statusCheckTrustsTheNodesKeystoreAndSendsTheCredentials() {
        await("syncline status --check answers OK").atMost(WAIT).untilAsserted(() -> {
            CliRun check = CliRun.of("status", "--config", cluster.configFile("dc-a").toString(), "--check");
            assertThat(check.output()).startsWith("SYNCLINE OK - dc-a");
            assertThat(check.status()).isZero();
        });
    }

    @Test
    void aWrongKeystorePasswordIsRefusedNamingTheKeystore() throws Exception {
        Path config = cluster.configFile("dc-a").resolveSibling("dc-a-wrong-password.yaml");
        Files.writeString(config.resolveSibling("wrong.password"), "not-the-password\n");
        Files.writeString(config, Files.readString(cluster.configFile("dc-a"))
                .replace("127.0.0.1:" + port, "127.0.0.1:0").replace("metrics-keystore.password", "wrong.password"));
        NodeConfig wrong = NodeConfigLoader.load(config);

        Throwable refused = catchThrowable(() -> NodeMonitor.start(cluster.node("dc-a"), wrong, Clock.systemUTC()));

        assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining("cannot use the keystore " + keystore)
                .hasMessageContaining("(metrics.tls.keystore)");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void aFailingProbeTellsItsReasonsOnlyWithTheCredentials() throws Exception {
        cluster.kafka("dc-a").stop();
        try {
            HttpResponse<String> anonymous = await("dc-a not ready").atMost(WAIT).until(() -> get("/readyz", null),
                    response -> response.statusCode() == 503);
            assertThat(anonymous.body()).contains("send the metrics.basic-auth credentials to see them")
                    .doesNotContain(cluster.kafka("dc-a").bootstrapServers());
            HttpResponse<String> told = get("/readyz", USER + ":" + PASSWORD);
            assertThat(told.statusCode()).isEqualTo(503);
            assertThat(told.body()).contains("its Kafka (" + cluster.kafka("dc-a").bootstrapServers() + ") did not answer");
        } finally {
            cluster.kafka("dc-a").start();
        }
    }

    private HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (credentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return trusting.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance(keystore.toFile(), KEYSTORE_PASSWORD.toCharArray());
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("dc-a", store.getCertificate("dc-a"));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
