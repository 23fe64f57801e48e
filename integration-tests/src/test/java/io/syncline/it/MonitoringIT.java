package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.CliRun;
import io.syncline.it.support.DcCluster;
import io.syncline.node.monitor.NodeMonitor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * A ring dc-a -> dc-b -> dc-c -> dc-a whose nodes serve /metrics, /livez, /readyz and /status
 * ({@code metrics.listen}), scraped while they replicate, by this test and by a real Prometheus;
 * dc-c runs as {@code syncline run} in its own JVM.
 * The tests run in order: the later ones stop dc-b's Kafka and then break a link for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path MONITORING = Path.of("../deploy/monitoring");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String READER_OF_DC_A = "client_id=\"syncline-dc-b-from-dc-a\"";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final List<NodeMonitor> monitors = new ArrayList<>();
    private DcCluster cluster;

    @BeforeAll
    void startRingWithMetrics() throws Exception {
        cluster = DcCluster.builder().nodes(3).topology(TopologyKind.RING).failureTimeout(Duration.ofSeconds(3))
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id int PRIMARY KEY, val text NOT NULL, n int)")
                .replicate("it.items")
                .start();
        // dc-a stops a link at a row it refuses instead of parking it (statusCheckIsCriticalWhenALinkStops).
        Path dcA = cluster.configFile("dc-a");
        Files.writeString(dcA, Files.readString(dcA).replace("  - it.items\n", "  - name: it.items\n    on-error: stop\n"));
        for (String node : cluster.names()) {
            int port = freePort();
            ports.put(node, port);
            Files.writeString(cluster.configFile(node), "metrics:\n  listen: 127.0.0.1:" + port + "\n", StandardOpenOption.APPEND);
        }
        // dc-a and dc-b in this JVM, with the monitor syncline run starts; dc-c as `syncline run` itself.
        for (String node : List.of("dc-a", "dc-b")) {
            cluster.startNode(node);
            monitors.add(NodeMonitor.start(cluster.node(node), NodeConfigLoader.load(cluster.configFile(node)), Clock.systemUTC())
                    .orElseThrow());
        }
        cluster.startNodeProcess("dc-c");
        await("syncline run of dc-c serves /livez").atMost(WAIT).ignoreExceptions()
                .until(() -> get(url("dc-c", "/livez")).statusCode() == 200);
    }

    @AfterAll
    void stopRing() {
        monitors.forEach(NodeMonitor::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void metricsShowLagConflictsAndAppliedRowsMoveWhileReplicating() throws Exception {
        Map<String, Double> before = scrape("dc-b");
        assertThat(before).containsKeys("syncline_link_records_behind{upstream=\"dc-a\"}",
                "syncline_link_bytes_behind{upstream=\"dc-a\"}", "syncline_link_catchup_seconds{upstream=\"dc-a\"}",
                "syncline_link_state{state=\"STREAMING\",upstream=\"dc-a\"}");
        double consumedBefore = sum(before, "kafka_consumer_fetch_manager_records_consumed_total{", READER_OF_DC_A);

        for (int i = 0; i < 20; i++) {
            cluster.execute("dc-a", "INSERT INTO it.items VALUES (" + (1000 + i) + ", 'a', 0)");
            cluster.execute("dc-c", "INSERT INTO it.items VALUES (" + (3000 + i) + ", 'c', 0)");
        }
        // The same keys inserted at dc-a and dc-b, both committed before either could see the other's: conflicts
        // at dc-b (dc-a's arrive directly) and at dc-a (dc-b's arrive through dc-c).
        try (Connection a = cluster.connect("dc-a"); Connection b = cluster.connect("dc-b");
                Statement atA = a.createStatement(); Statement atB = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            atA.execute("INSERT INTO it.items SELECT g, 'a', 0 FROM generate_series(0, 19) g");
            atB.execute("INSERT INTO it.items SELECT g, 'b', 0 FROM generate_series(0, 19) g");
            b.commit();
            a.commit();
        }

        await("lag, applied rows and conflicts move at dc-b").atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Double> now = scrape("dc-b");
            assertThat(now.get("syncline_replication_lag_seconds_count{origin=\"dc-a\"}")).isGreaterThanOrEqualTo(21);
            assertThat(now.get("syncline_replication_lag_seconds_count{origin=\"dc-c\"}")).isGreaterThanOrEqualTo(20);
            assertThat(now.get("syncline_replication_lag_seconds_bucket{le=\"+Inf\",origin=\"dc-a\"}")).isGreaterThanOrEqualTo(21);
            assertThat(now.get("syncline_link_applied_rows_total{upstream=\"dc-a\"}")).isGreaterThanOrEqualTo(40);
            assertThat(sum(now, "syncline_conflicts_total{")).isPositive();
            assertThat(now.get("syncline_origin_last_applied_age_seconds{origin=\"dc-c\"}")).isNotNaN();
        });
        cluster.awaitQuiet(WAIT);
        await("records and bytes behind back to 0 and caught up once quiet").atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> quiet = scrape("dc-b");
            assertThat(quiet.get("syncline_link_records_behind{upstream=\"dc-a\"}")).isZero();
            assertThat(quiet.get("syncline_link_bytes_behind{upstream=\"dc-a\"}")).isZero();
            assertThat(quiet.get("syncline_link_catchup_seconds{upstream=\"dc-a\"}")).isZero();
        });
        // The Kafka clients' own metrics, through Micrometer's binder: the reader of dc-a's outbox read what it applied,
        // the forwarder (dc-b forwards dc-a's changes to dc-c) and the capture (dc-b's own inserts) sent.
        await("the Kafka client metrics show the reads and sends").atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> now = scrape("dc-b");
            now.keySet().stream().filter(k -> k.startsWith("kafka_consumer_fetch_manager_records_consumed_total{")
                    || k.startsWith("kafka_producer_record_send_total{")).forEach(k -> System.out.println("[monitoring] " + k));
            assertThat(sum(now, "kafka_consumer_fetch_manager_records_consumed_total{", READER_OF_DC_A))
                    .isGreaterThan(consumedBefore);
            assertThat(sum(now, "kafka_producer_record_send_total{", "client_id=\"syncline-dc-b-forward\"")).isPositive();
            assertThat(sum(now, "kafka_producer_record_send_total{", "client_id=\"syncline-dc-b-capture\"")).isPositive();
        });

        Map<String, Double> after = scrape("dc-b");
        assertThat(after.get("syncline_slot_wal_retained_bytes{slot=\"syncline_dc_b\"}")).isNotNaN().isGreaterThanOrEqualTo(0);
        assertThat(after.get("syncline_dead_letter_changes")).isZero();
        assertThat(after.get("syncline_capture_state{state=\"RUNNING\"}")).isEqualTo(1);
        assertThat(after.get("syncline_ready")).isEqualTo(1);
        assertThat(after.keySet()).anyMatch(k -> k.startsWith("syncline_conflicts_total{")
                && k.contains("table=\"it.items\"") && k.contains("type=\"insert_insert\""));
        long logged = cluster.queryLong("dc-b", "SELECT count(*) FROM syncline.conflict_log");
        assertThat(sum(after, "syncline_conflicts_total{")).isEqualTo(logged);

        CliRun listed = CliRun.of("conflicts", "list", "--config", cluster.configFile("dc-b").toString(), "--json", "--limit", "1");
        JsonNode document = new ObjectMapper().readTree(listed.output());
        assertThat(document.path("total").asLong()).isEqualTo(logged);
        assertThat(document.path("returned").asInt()).isEqualTo(1);
        assertThat(document.path("truncated").asBoolean()).isEqualTo(logged > 1);
    }

    @Test
    @Order(2)
    void everyMetricOfTheDashboardAndTheAlertRulesIsInARealScrape() throws Exception {
        Set<String> scraped = new TreeSet<>();
        for (String node : cluster.names()) {
            scrape(node).keySet().forEach(series -> scraped.add(series.replaceAll("\\{.*", "")));
        }
        scraped.add("up");
        Set<String> used = new TreeSet<>();
        for (String expr : ruleExpressions()) {
            used.addAll(metricNames(expr));
        }
        for (JsonNode target : new ObjectMapper().readTree(MONITORING.resolve("syncline-dashboard.json").toFile()).findValues("expr")) {
            used.addAll(metricNames(target.asText()));
        }
        assertThat(used).contains("syncline_replication_lag_seconds_bucket", "syncline_link_state", "syncline_link_records_behind",
                "syncline_link_bytes_behind", "syncline_link_catchup_seconds", "kafka_consumer_fetch_manager_records_consumed_total",
                "syncline_conflicts_total", "syncline_slot_wal_retained_bytes", "syncline_dead_letter_changes", "up");
        System.out.println("[monitoring] metric names used by the dashboard and the alert rules: " + used);
        assertThat(scraped).containsAll(used);
    }

    @Test
    @Order(3)
    void aRealPrometheusScrapesTheNodesAndAnswersALagQuery() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "!!! SKIPPED: " + PROMETHEUS
                + " is missing; install Debian's prometheus package to run a real scrape !!!");
        Path dir = Files.createTempDirectory("syncline-prometheus-");
        int port = freePort();
        List<String> targets = ports.values().stream().map(p -> "'127.0.0.1:" + p + "'").toList();
        Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files: ['" + MONITORING.resolve("syncline-alerts.yml").toAbsolutePath().normalize() + "']\n"
                + "scrape_configs:\n  - job_name: syncline\n    static_configs:\n      - targets: " + targets + "\n");
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String query = "http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode("syncline_replication_lag_seconds_count{origin=\"dc-a\"}", StandardCharsets.UTF_8);
            await("Prometheus answers the lag query with data").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().untilAsserted(() -> {
                        assertThat(prometheus.isAlive()).as("prometheus runs; log: %s", dir.resolve("prometheus.log")).isTrue();
                        JsonNode answer = new ObjectMapper().readTree(get(query).body());
                        assertThat(answer.path("status").asText()).isEqualTo("success");
                        assertThat(answer.path("data").path("result")).hasSizeGreaterThanOrEqualTo(2);
                    });
            JsonNode rules = new ObjectMapper().readTree(get("http://127.0.0.1:" + port + "/api/v1/rules").body());
            assertThat(rules.findValues("name").stream().map(JsonNode::asText)).contains("SynclineLinkNotStreaming");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
            System.out.println("[monitoring] prometheus log: " + Files.readString(dir.resolve("prometheus.log")).lines()
                    .filter(line -> line.contains("level=ERROR") || line.contains("level=error")).toList());
        }
    }

    @Test
    @Order(4)
    void statusCheckIsOkWhileEveryLinkStreams() throws Exception {
        assertThat(get(url("dc-b", "/readyz")).statusCode()).isEqualTo(200);
        assertThat(get(url("dc-b", "/livez")).statusCode()).isEqualTo(200);
        await("every link streams").atMost(WAIT).untilAsserted(() -> {
            CliRun check = CliRun.of("status", "--config", cluster.configFile("dc-b").toString(), "--check");
            assertThat(check.output()).startsWith("SYNCLINE OK - dc-b");
            assertThat(check.status()).isZero();
        });
        JsonNode status = new ObjectMapper().readTree(get(url("dc-b", "/status")).body());
        assertThat(status.path("ready").asBoolean()).isTrue();
        assertThat(status.path("capture").path("wal_retained_bytes").isNumber()).isTrue();
        assertThat(status.path("origins").findValuesAsText("origin")).containsExactly("dc-a", "dc-c");
        assertThat(status.path("links").get(0).path("records_behind").asLong()).isZero();
        assertThat(status.path("links").get(0).path("bytes_behind").asLong()).isZero();
        assertThat(status.path("links").get(0).path("catchup").asText()).isEqualTo("CAUGHT_UP");
        assertThat(status.path("links").get(0).path("catchup_seconds").asDouble()).isZero();
        CliRun table = CliRun.of("status", "--config", cluster.configFile("dc-b").toString());
        assertThat(table.status()).isZero();
        assertThat(table.output()).contains("LINK FROM", "BYTES BEHIND", "CATCH-UP", "STREAMING", "ORIGIN", "dc-c");
    }

    @Test
    @Order(5)
    void recordsBehindGrowAndReadinessFailsWhileTheNodesKafkaIsStopped() throws Exception {
        String behind = "syncline_link_records_behind{upstream=\"dc-a\"}";
        assertThat(scrape("dc-b").get(behind)).isZero();
        // dc-b forwards dc-a's changes to dc-c through its own Kafka: without it, the link from dc-a cannot go on.
        cluster.kafka("dc-b").stop();
        long stoppedAt = System.nanoTime();
        try {
            HttpResponse<String> notReady = await("dc-b not ready").atMost(WAIT).until(() -> get(url("dc-b", "/readyz")),
                    response -> response.statusCode() == 503);
            assertThat(notReady.body()).contains("its Kafka (" + cluster.kafka("dc-b").bootstrapServers() + ") did not answer");
            assertThat(get(url("dc-b", "/livez")).statusCode()).isEqualTo(200);
            System.out.printf("[monitoring] /readyz of dc-b answered 503 %d ms after its Kafka stopped%n",
                    (System.nanoTime() - stoppedAt) / 1_000_000);
            // Its peers see its heartbeats stop, whether or not anything is written there.
            double silent = await("dc-a sees dc-b's heartbeats stop").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .until(() -> scrape("dc-a").get("syncline_peer_heartbeat_age_seconds{peer=\"dc-b\"}"), age -> age >= 5);
            System.out.printf("[monitoring] dc-a: no heartbeat of dc-b for %.1f s%n", silent);

            double first = 0;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 30; i++) {
                    cluster.execute("dc-a", "INSERT INTO it.items VALUES (" + (10_000 + round * 100 + i) + ", 'a', 0)");
                }
                double floor = first;
                first = await("records behind grow at dc-b").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                        .until(() -> scrape("dc-b").get(behind), value -> value >= floor + 30);
                System.out.printf("[monitoring] dc-b %s records behind dc-a after %d more transactions there%n", first, 30 * (round + 1));
            }
            // dc-b reads dc-a's outbox but cannot forward: the gap grows, in bytes too, and is not being caught up.
            Map<String, Double> stalled = await("dc-b not catching up").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .until(() -> scrape("dc-b"), now -> now.get("syncline_link_catchup_seconds{upstream=\"dc-a\"}")
                            == Double.POSITIVE_INFINITY);
            assertThat(stalled.get("syncline_link_bytes_behind{upstream=\"dc-a\"}")).isGreaterThan(0);
            System.out.printf("[monitoring] dc-b %s bytes behind dc-a%n", stalled.get("syncline_link_bytes_behind{upstream=\"dc-a\"}"));
            JsonNode link = new ObjectMapper().readTree(get(url("dc-b", "/status")).body()).path("links").get(0);
            assertThat(link.path("catchup").asText()).isEqualTo("NOT_CATCHING_UP");
            assertThat(link.path("catchup_seconds").isNull()).isTrue();
            CliRun check = CliRun.of("status", "--config", cluster.configFile("dc-b").toString(), "--check");
            assertThat(check.status()).isEqualTo(2);
            assertThat(check.output()).startsWith("SYNCLINE CRITICAL - dc-b: not ready");
        } finally {
            cluster.kafka("dc-b").start();
        }
        await("dc-b ready and caught up once its Kafka is back").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    assertThat(get(url("dc-b", "/readyz")).statusCode()).isEqualTo(200);
                    assertThat(scrape("dc-b").get(behind)).isZero();
                    assertThat(scrape("dc-b").get("syncline_link_catchup_seconds{upstream=\"dc-a\"}")).isZero();
                });
    }

    @Test
    @Order(6)
    void statusCheckIsCriticalWhenALinkStops() throws Exception {
        // dc-a reads dc-c; a row dc-a refuses stops that link for good (on-error: stop at dc-a).
        cluster.execute("dc-a", "ALTER TABLE it.items ADD CONSTRAINT not_refused CHECK (val <> 'refused at dc-a')");
        cluster.execute("dc-c", "INSERT INTO it.items VALUES (50000, 'refused at dc-a', 7)");
        await("the link from dc-c stops at dc-a").atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(scrape("dc-a").get("syncline_link_state{state=\"FAILED\",upstream=\"dc-c\"}")).isEqualTo(1));

        CliRun check = CliRun.of("status", "--config", cluster.configFile("dc-a").toString(), "--check");
        assertThat(check.status()).isEqualTo(2);
        assertThat(check.output()).startsWith("SYNCLINE CRITICAL - dc-a: link from dc-c FAILED: ");
        JsonNode status = new ObjectMapper().readTree(get(url("dc-a", "/status")).body());
        assertThat(status.path("links").get(0).path("state").asText()).isEqualTo("FAILED");
        // PostgreSQL's detail quotes the refused row; the reason gives the SQLSTATE and constraint, not the values.
        assertThat(status.path("links").get(0).path("reason").asText()).contains("23514", "not_refused")
                .doesNotContain("Failing row contains");
    }

    // ------------------------------------------------------------------------------------ helpers

    private String url(String node, String path) {
        return "http://127.0.0.1:" + ports.get(node) + path;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the node's /metrics by series ({@code name{labels}} as printed, labels in printed order). */
    private Map<String, Double> scrape(String node) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url(node, "/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : normalized(m.group(2))), value(m.group(3)));
            }
        }
        return samples;
    }

    /** Labels in name order, so that tests need not know the exporter's order. */
    private static String normalized(String labels) {
        List<String> pairs = new ArrayList<>(List.of(labels.substring(1, labels.length() - 1).split(",(?=[a-zA-Z_]+=\")")));
        pairs.removeIf(String::isEmpty);
        java.util.Collections.sort(pairs);
        return "{" + String.join(",", pairs) + "}";
    }

    /** A sample value of the text format: a Go float, {@code +Inf}, {@code -Inf} or {@code NaN} included. */
    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static double sum(Map<String, Double> samples, String prefix) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    /** The sum of the series of {@code prefix} whose labels contain {@code label}. */
    private static double sum(Map<String, Double> samples, String prefix, String label) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(MONITORING.resolve("syncline-alerts.yml")));
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add(String.valueOf(rule.get("expr")));
            }
        }
        return expressions;
    }

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords or label names. */
    private static Set<String> metricNames(String expr) {
        String withoutStrings = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "{}")
                .replaceAll("\\[[^]]*]", "[]").replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(withoutStrings);
        while (m.find()) {
            boolean function = m.group(2) != null;
            String word = m.group(1);
            if (!function && !Set.of("and", "or", "unless", "bool", "offset", "inf", "nan").contains(word.toLowerCase())
                    && !word.matches("\\d.*")) {
                names.add(word);
            }
        }
        return names;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
