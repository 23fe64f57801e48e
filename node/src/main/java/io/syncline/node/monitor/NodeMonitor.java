package io.syncline.node.monitor;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.syncline.core.config.NodeConfig;
import io.syncline.node.runtime.SynclineNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a node's {@code /metrics} (Prometheus text), {@code /livez}, {@code /readyz} and
 * {@code /status} (JSON, see {@link StatusReport}) with the JDK's HTTP server on
 * {@code metrics.listen}, and samples its database and the Kafka clusters every
 * {@link #SAMPLE_INTERVAL} for them. HTTPS with {@code metrics.tls}; with {@code metrics.basic-auth},
 * {@code /metrics} and {@code /status} ask for the credentials, while {@code /livez} and {@code /readyz}
 * stay open for probes and tell their reasons only to a caller that sends them. Start after the
 * node was created, close before or with it.
 */
public final class NodeMonitor implements AutoCloseable {

    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(NodeMonitor.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final SynclineNode node;
    private final NodeConfig config;
    private final Clock clock;
    private final NodeSampler sampler;
    private final AtomicReference<NodeSample> latest;
    private final ScheduledExecutorService sampling;
    private final NodeGauges gauges;
    private final HttpServer server;
    private final Optional<BasicCredentials> credentials;

    private NodeMonitor(SynclineNode node, NodeConfig config, Clock clock, String host, int port) throws IOException {
        this.node = node;
        this.config = config;
        this.clock = clock;
        this.latest = new AtomicReference<>(NodeSample.none(clock.instant()));
        this.sampler = new NodeSampler(node, config, clock);
        this.gauges = new NodeGauges(node, node.meters().registry(), latest::get, clock);
        this.sampling = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "syncline-monitor-" + node.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.credentials = config.metrics().basicAuth().map(BasicCredentials::of);
            this.server = EndpointServer.create(node.nodeId(), host, port, config.metrics().tls());
        } catch (IOException | RuntimeException e) {
            sampling.shutdownNow();
            sampler.close();
            gauges.close();
            throw e;
        }
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "syncline-http-" + node.nodeId());
            thread.setDaemon(true);
            return thread;
        }));
        protect(server.createContext("/metrics", exchange -> answer(exchange, () -> {
            gauges.refresh();
            return new Answer(200, PROMETHEUS_TEXT, node.meters().registry().scrape());
        })));
        server.createContext("/livez", exchange -> answer(exchange,
                () -> health(Readiness.livenessProblems(node, latest.get(), clock), exchange)));
        server.createContext("/readyz", exchange -> answer(exchange,
                () -> health(Readiness.problems(node, latest.get(), clock), exchange)));
        protect(server.createContext("/status", exchange -> answer(exchange, () -> new Answer(200, "application/json",
                StatusReport.json().writerWithDefaultPrettyPrinter().writeValueAsString(report())))));
    }

    private void protect(HttpContext context) {
        credentials.ifPresent(c -> context.setAuthenticator(c.authenticator()));
    }

    /**
     * Starts sampling and serving on {@code metrics.listen}; empty if that is not set.
     *
     * @throws IOException if the address cannot be bound (named in the message)
     */
    public static Optional<NodeMonitor> start(SynclineNode node, NodeConfig config, Clock clock) throws IOException {
        if (config.metrics().listen().isEmpty()) {
            return Optional.empty();
        }
        NodeMonitor monitor = new NodeMonitor(node, config, clock, config.metrics().host().orElseThrow(),
                config.metrics().port().orElseThrow());
        monitor.sampling.scheduleWithFixedDelay(monitor::sample, 0, SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        monitor.server.start();
        log.info("[{}] serving /metrics, /livez, /readyz and /status on {}://{}{}", node.nodeId(), config.metrics().scheme(),
                monitor.address(), monitor.credentials.isPresent()
                        ? " (/metrics and /status with basic authentication as " + config.metrics().basicAuth().get().username()
                                + ")" : "");
        return Optional.of(monitor);
    }

    /** Where it listens, {@code host:port} (the real port when {@code metrics.listen} asked for port 0). */
    public String address() {
        InetSocketAddress address = server.getAddress();
        return address.getHostString() + ":" + address.getPort();
    }

    /** The report {@code /status} answers now. */
    public StatusReport report() {
        return StatusReports.of(node, config.topology().nodes(), latest.get(), clock);
    }

    private void sample() {
        try {
            if (node.state() == SynclineNode.State.RUNNING) {
                latest.set(sampler.sample());
            }
        } catch (RuntimeException e) {
            // The loop must go on; /livez reports it if sampling keeps failing.
            log.warn("[{}] sampling the database and Kafka for metrics failed: {}", node.nodeId(), e.toString());
        }
    }

    private record Answer(int status, String contentType, String body) {}

    @FunctionalInterface
    private interface Responder {
        Answer get() throws IOException;
    }

    /** The probe's answer; with basic auth, its reasons (names of hosts, databases) only for a caller with the credentials. */
    private Answer health(List<String> problems, HttpExchange exchange) {
        if (problems.isEmpty()) {
            return new Answer(200, "text/plain", "ok\n");
        }
        boolean told = credentials.isEmpty() || credentials.get().presentIn(exchange);
        return new Answer(503, "text/plain", told ? String.join("\n", problems) + "\n"
                : problems.size() + " problem(s); send the metrics.basic-auth credentials to see them\n");
    }

    private void answer(HttpExchange exchange, Responder responder) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = responder.get();
            } catch (IOException | RuntimeException e) {
                log.warn("[{}] {} failed: {}", node.nodeId(), exchange.getRequestURI(), e.toString());
                answer = new Answer(500, "text/plain", e + "\n");
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(answer.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
        sampling.shutdownNow();
        try {
            sampling.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sampler.close();
        gauges.close();
    }
}
