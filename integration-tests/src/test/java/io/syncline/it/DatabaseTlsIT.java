package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import io.syncline.node.cli.SynclineCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL that accepts only TLS connections, and from the node's role only with a client
 * certificate signed by the test's own CA: the node, configured with {@code sslmode=verify-full}
 * and its certificate in {@code database.url}, prepares its database, captures and applies, which
 * works only if every connection it opens (init, the capture's checks, Debezium's query and
 * replication connections, the applier's pool, the lease) carries those parameters.
 */
class DatabaseTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final String TLS_ROLE = "syncline_tls";
    private static final String TLS_PASSWORD = "tls-only";

    @TempDir
    Path certificates;

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void nodeRunsWithVerifyFullTlsOnEveryConnection() throws Exception {
        Assumptions.assumeTrue(opensslAnswers(), "SKIPPED: openssl is not on the PATH; it makes the test's certificates");
        makeCertificates();
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id bigint PRIMARY KEY, v text NOT NULL)")
                .replicate("it.items")
                .start();
        acceptOnlyTls(A);
        String url = cluster.postgres(A).jdbcUrl() + "?sslmode=verify-full&sslrootcert=" + certificates.resolve("ca.crt")
                + "&sslcert=" + certificates.resolve("client.crt") + "&sslkey=" + certificates.resolve("client.pk8");
        assertThatThrownBy(() -> DriverManager.getConnection(cluster.postgres(A).jdbcUrl() + "?sslmode=disable",
                cluster.postgres(A).user(), cluster.postgres(A).password()).close())
                .as("a connection without TLS").isInstanceOf(SQLException.class).hasMessageContaining("no encryption");
        assertThatThrownBy(() -> DriverManager.getConnection(cluster.postgres(A).jdbcUrl() + "?sslmode=verify-full&sslrootcert="
                + certificates.resolve("ca.crt"), TLS_ROLE, TLS_PASSWORD).close())
                .as("the node's role without its client certificate").isInstanceOf(SQLException.class);
        useTlsUrl(A, url);

        assertThat(SynclineCli.run("init", "--config", cluster.configFile(A).toString())).as("init over TLS").isZero();
        cluster.startAllNodes();
        cluster.execute(A, "INSERT INTO it.items VALUES (1, 'written at dc-a')");
        cluster.execute(B, "INSERT INTO it.items VALUES (2, 'written at dc-b')");
        for (String node : cluster.names()) {
            await("both rows at " + node).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.queryLong(node, "SELECT count(*) FROM it.items") == 2);
        }

        List<List<String>> sessions = cluster.queryRows(A, "SELECT a.backend_type, s.ssl::text, s.client_dn,"
                + " coalesce(a.application_name, '') FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                + " WHERE a.usename = '" + TLS_ROLE + "' ORDER BY 1, 4");
        System.out.printf("[tls] sessions of the node's role on %s: %s%n", A, sessions);
        assertThat(sessions).as("the node's sessions").extracting(row -> row.get(0)).contains("walsender", "client backend");
        assertThat(sessions).as("the node's sessions").extracting(row -> row.get(3)).anyMatch(name -> name.startsWith("syncline lease"));
        assertThat(sessions).allSatisfy(row -> {
            assertThat(row.get(1)).as("TLS of %s", row).isEqualTo("true");
            assertThat(row.get(2)).as("client certificate of %s", row).isEqualTo("/CN=" + TLS_ROLE);
        });
    }

    /** A CA, a server certificate for 127.0.0.1 and a client certificate for the node's role, all signed by the CA. */
    private void makeCertificates() throws IOException, InterruptedException {
        Files.writeString(certificates.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=syncline-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=" + TLS_ROLE);
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.crt", "-days", "2");
        // pgjdbc reads a client key as PKCS#8 DER.
        openssl("pkcs8", "-topk8", "-inform", "PEM", "-outform", "DER", "-in", "client.key", "-out", "client.pk8", "-nocrypt");
    }

    /**
     * Server certificate, key and CA in the data directory; pg_hba.conf with TLS lines only (the
     * node's role also needs a client certificate); ssl on, reloaded. All through SQL as the
     * superuser (COPY TO PROGRAM runs as the server's OS user, which must own the key), so that it
     * works wherever the server runs, on this host or in a container.
     */
    private void acceptOnlyTls(String node) throws SQLException, IOException {
        String dataDirectory = cluster.queryString(node, "SHOW data_directory");
        for (String file : List.of("server.crt", "server.key", "ca.crt")) {
            writeServerFile(node, dataDirectory + "/tls-" + file, Files.readAllBytes(certificates.resolve(file)));
        }
        writeServerFile(node, cluster.queryString(node, "SHOW hba_file"), String.join("\n",
                "local   all          all                      trust",
                "local   replication  all                      trust",
                "hostssl all          " + TLS_ROLE + "  all  md5 clientcert=verify-ca",
                "hostssl replication  " + TLS_ROLE + "  all  md5 clientcert=verify-ca",
                "hostssl all          all           all  md5",
                "hostssl replication  all           all  md5", "").getBytes(StandardCharsets.UTF_8));
        cluster.execute(node,
                "CREATE ROLE " + TLS_ROLE + " LOGIN SUPERUSER PASSWORD '" + TLS_PASSWORD + "'",
                "ALTER SYSTEM SET ssl_cert_file = 'tls-server.crt'",
                "ALTER SYSTEM SET ssl_key_file = 'tls-server.key'",
                "ALTER SYSTEM SET ssl_ca_file = 'tls-ca.crt'",
                "ALTER SYSTEM SET ssl = on",
                "SELECT pg_reload_conf()");
        await("TLS on at " + node).atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> "on".equals(cluster.queryString(node, "SHOW ssl")));
    }

    /** Writes {@code content} to {@code path} on the server's host, owned by the server's user, mode 0600. */
    private void writeServerFile(String node, String path, byte[] content) throws SQLException {
        if (!path.matches("[A-Za-z0-9_./-]+")) {
            throw new IllegalArgumentException("a path this test does not quote for the shell: " + path);
        }
        cluster.execute(node, "COPY (SELECT '" + Base64.getEncoder().encodeToString(content) + "') TO PROGRAM"
                + " 'base64 -d > " + path + " && chmod 600 " + path + "'");
    }

    /** The node's config with {@code url}, the TLS role and its password. */
    private void useTlsUrl(String node, String url) throws IOException {
        Path config = cluster.configFile(node);
        Path password = config.resolveSibling(node + ".tls-password");
        Files.writeString(password, TLS_PASSWORD);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(config)) {
            if (line.startsWith("  url: ")) {
                line = "  url: '" + url + "'";
            } else if (line.startsWith("  user: ")) {
                line = "  user: " + TLS_ROLE;
            } else if (line.startsWith("  password-file: ")) {
                line = "  password-file: " + password;
            }
            lines.add(line);
        }
        Files.write(config, lines);
    }

    private static boolean opensslAnswers() {
        try {
            Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(certificates.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
