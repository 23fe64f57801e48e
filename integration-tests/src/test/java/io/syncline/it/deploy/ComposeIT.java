package io.syncline.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.syncline.it.env.DockerEngine;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three-datacenter compose run of {@code deploy/compose} as an operator starts it: the local
 * images (the node's built from this checkout), {@code docker-compose up}, writes at every
 * datacenter, and every database converges. Skipped, with a banner, where no Docker engine or
 * no {@code docker-compose} can be had.
 */
class ComposeIT {

    private static final List<String> DATACENTERS = List.of("a", "b", "c");
    private static final int NOTES_PER_DC = 40;
    private static final int COUNTER_ROWS = 5;
    private static final int INCREMENTS_PER_DC = 30;

    private final Path repository = Path.of(System.getProperty("user.dir")).getParent();
    private final Path composeFile = repository.resolve("deploy/compose/docker-compose.yml");
    private final String project = "syncline-it-" + ProcessHandle.current().pid();
    private boolean started;

    @BeforeEach
    void composeAvailable() {
        assumeTrue(skipLoudlyUnless(DockerEngine.answers(), "no Docker engine answers"));
        assumeTrue(skipLoudlyUnless(run(Duration.ofSeconds(30), "docker-compose", "version").status() == 0,
                "docker-compose is not installed (apt-get install docker-compose)"));
    }

    @AfterEach
    void down() {
        if (started) {
            run(Duration.ofMinutes(2), compose("down", "-v", "--remove-orphans"));
        }
    }

    @Test
    void threeDatacentersConvergeUnderWritesEverywhere() throws Exception {
        Result images = run(Duration.ofMinutes(10), "bash", repository.resolve("deploy/images/build-local-images.sh").toString(),
                "node");
        assertThat(images.status()).as("building the images:%n%s", images.output()).isZero();
        started = true;
        Result up = run(Duration.ofMinutes(5), compose("up", "-d"));
        assertThat(up.status()).as("docker-compose up:%n%s", up.output()).isZero();

        Map<String, String> urls = new TreeMap<>();
        for (String dc : DATACENTERS) {
            urls.put(dc, "jdbc:postgresql://" + port("pg-" + dc, 5432) + "/app");
        }
        try {
            // A node streams once its slot is active; what is written before that is not captured.
            awaitEverywhere(urls, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name LIKE 'syncline%'", 1);
            try (Connection a = connect(urls.get("a")); Statement statement = a.createStatement()) {
                statement.execute("INSERT INTO public.counters (id, total) SELECT g, 0 FROM generate_series(1, " + COUNTER_ROWS
                        + ") g ON CONFLICT DO NOTHING");
            }
            awaitEverywhere(urls, "SELECT count(*) FROM public.counters", COUNTER_ROWS);
            for (String dc : DATACENTERS) {
                write(urls.get(dc), dc);
            }
            long expectedTotal = (long) DATACENTERS.size() * INCREMENTS_PER_DC;
            awaitEverywhere(urls, "SELECT count(*) FROM public.notes", DATACENTERS.size() * NOTES_PER_DC);
            awaitEverywhere(urls, "SELECT sum(total) FROM public.counters", expectedTotal);
            List<String> contents = new ArrayList<>();
            for (String dc : DATACENTERS) {
                contents.add(contents(urls.get(dc)));
            }
            assertThat(contents).as("notes and counters of dc-a, dc-b, dc-c").allMatch(c -> c.equals(contents.get(0)));
            awaitPrometheusScrapesEveryNode(port("prometheus", 9090));
        } catch (AssertionError | RuntimeException e) {
            System.out.println(run(Duration.ofMinutes(1), compose("logs", "--no-color", "--tail", "60")).output());
            throw e;
        }
    }

    /** Prometheus' own view: every node's target up, and the lag histogram of each origin there. */
    private static void awaitPrometheusScrapesEveryNode(String address) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            assertThat(query(http, address, "sum(up{job=\"syncline\"})")).as("nodes up").contains("\"3\"]");
            assertThat(query(http, address, "count(syncline_replication_lag_seconds_count)"))
                    .as("lag series (3 nodes x 2 origins)").contains("\"6\"]");
        });
    }

    private static String query(HttpClient http, String address, String promql) throws Exception {
        URI uri = URI.create("http://" + address + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void write(String url, String dc) throws SQLException {
        try (Connection connection = connect(url)) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO public.notes (id, body) VALUES (?, ?)")) {
                for (int i = 0; i < NOTES_PER_DC; i++) {
                    insert.setString(1, "dc-" + dc + "-" + i);
                    insert.setString(2, "written at dc-" + dc);
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement increment = connection.prepareStatement(
                    "UPDATE public.counters SET total = total + 1 WHERE id = ?")) {
                for (int i = 0; i < INCREMENTS_PER_DC; i++) {
                    increment.setInt(1, 1 + i % COUNTER_ROWS);
                    increment.executeUpdate();
                }
            }
        }
    }

    private static void awaitEverywhere(Map<String, String> urls, String query, long expected) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            for (Map.Entry<String, String> dc : urls.entrySet()) {
                assertThat(queryLong(dc.getValue(), query)).as("%s at dc-%s", query, dc.getKey()).isEqualTo(expected);
            }
        });
    }

    private static String contents(String url) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection connection = connect(url); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT id, body FROM public.notes ORDER BY id")) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('=').append(rs.getString(2)).append('\n');
                }
            }
            try (ResultSet rs = statement.executeQuery("SELECT id, total FROM public.counters ORDER BY id")) {
                while (rs.next()) {
                    out.append(rs.getInt(1)).append('=').append(rs.getLong(2)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static long queryLong(String url, String query) throws SQLException {
        try (Connection connection = connect(url); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "syncline", "syncline");
    }

    /** The host address a service's port is published on, e.g. {@code 127.0.0.1:32768}. */
    private String port(String service, int port) {
        Result result = run(Duration.ofSeconds(30), compose("port", service, Integer.toString(port)));
        assertThat(result.status()).as("docker-compose port %s:%n%s", service, result.output()).isZero();
        return result.output().strip();
    }

    private String[] compose(String... args) {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-f", composeFile.toString(), "-p", project));
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    private static boolean skipLoudlyUnless(boolean available, String why) {
        if (!available) {
            System.out.println("!".repeat(78) + "\n!!! ComposeIT SKIPPED: " + why + "\n" + "!".repeat(78));
        }
        return available;
    }

    private record Result(int status, String output) {}

    private static Result run(Duration timeout, String... command) {
        try {
            Path log = Files.createTempFile("syncline-compose-", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return new Result(-1, String.join(" ", command) + " did not end within " + timeout.toSeconds() + " s\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
