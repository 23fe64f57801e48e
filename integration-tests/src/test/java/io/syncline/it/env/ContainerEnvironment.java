package io.syncline.it.env;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * An {@link Environment} whose PostgreSQL servers and Kafka clusters are Docker containers,
 * started with Testcontainers.
 *
 * <h2>Images</h2>
 * Image names come from the system properties {@value #POSTGRES_IMAGE_PROPERTY} and
 * {@value #KAFKA_IMAGE_PROPERTY}, else the environment variables {@value #POSTGRES_IMAGE_ENV}
 * and {@value #KAFKA_IMAGE_ENV}, else the official {@value #DEFAULT_POSTGRES_IMAGE} and
 * {@value #DEFAULT_KAFKA_IMAGE} (pulled by a Docker that can reach a registry). Any image with
 * the official images' interface works: for PostgreSQL the {@code POSTGRES_USER},
 * {@code POSTGRES_PASSWORD}, {@code POSTGRES_DB} variables and {@code postgres -c ...} as the
 * command; for Kafka the {@code KAFKA_*} variables and {@code CLUSTER_ID} of
 * {@code apache/kafka}. {@code deploy/images/build-local-images.sh} builds such images
 * ({@code syncline-local/postgres:15}, {@code syncline-local/kafka:4.3.1}) without a registry.
 *
 * <h2>Docker settings</h2>
 * Where no registry can be reached (CI here), Testcontainers needs two environment variables
 * (or the same keys in {@code ~/.testcontainers.properties}):
 * <ul>
 *   <li>{@code TESTCONTAINERS_RYUK_DISABLED=true}: the Ryuk reaper's image cannot be pulled.
 *       This class removes every container it started on {@link #close()}, and a shutdown
 *       hook removes what is left if a test forgets to.</li>
 *   <li>{@code TESTCONTAINERS_HOST_OVERRIDE=localhost}: the machine has {@code /.dockerenv}, so
 *       Testcontainers would otherwise think it runs in a container and pull {@code alpine}
 *       to find the gateway.</li>
 * </ul>
 *
 * <h2>Restarts</h2>
 * Each container's port is published on a fixed host port chosen when it is started (outside
 * the ephemeral port range), and Kafka advertises that port, so {@code stop()} /
 * {@code start()} ({@code docker stop} / {@code docker start} of the same container) keep the
 * address, the data and the topics. The host port is checked to be free on this machine,
 * so the Docker engine must run here (no remote {@code DOCKER_HOST}).
 *
 * <p>Thread-safe: servers and clusters may be started from several threads at once.
 */
public final class ContainerEnvironment implements Environment {

    public static final String POSTGRES_IMAGE_PROPERTY = "syncline.it.postgres.image";
    public static final String POSTGRES_IMAGE_ENV = "SYNCLINE_IT_POSTGRES_IMAGE";
    public static final String DEFAULT_POSTGRES_IMAGE = "postgres:17";
    public static final String KAFKA_IMAGE_PROPERTY = "syncline.it.kafka.image";
    public static final String KAFKA_IMAGE_ENV = "SYNCLINE_IT_KAFKA_IMAGE";
    public static final String DEFAULT_KAFKA_IMAGE = "apache/kafka:4.1.1";

    /** How long a start or restart may take until the server accepts clients. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    static final String POSTGRES_USER = "syncline";
    static final String POSTGRES_PASSWORD = "syncline";
    static final String POSTGRES_DB = "syncline";
    static final List<String> POSTGRES_COMMAND = List.of("postgres",
            "-c", "wal_level=logical",
            "-c", "track_commit_timestamp=on",
            "-c", "max_replication_slots=20",
            "-c", "max_wal_senders=20");

    private static final Logger LOG = LoggerFactory.getLogger(ContainerEnvironment.class);
    private static final int POSTGRES_PORT = 5432;
    private static final int KAFKA_PORT = 9092;
    private static final int LOG_TAIL_LINES = 40;
    // Host ports are drawn below Linux's ephemeral range (32768-60999), so an outgoing
    // connection cannot take a stopped container's port before it restarts.
    private static final int MIN_HOST_PORT = 20000;
    private static final int MAX_HOST_PORT = 32000;
    private static final Set<Integer> PORTS_TAKEN = ConcurrentHashMap.newKeySet();

    private final String postgresImage;
    private final String kafkaImage;
    private final DockerClient docker;
    private final String host;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    /** An environment with the images named by the system properties or environment. */
    public ContainerEnvironment() {
        this(configuredPostgresImage(), configuredKafkaImage());
    }

    /**
     * An environment with the given images.
     *
     * @throws IllegalStateException if no Docker engine answers
     */
    public ContainerEnvironment(String postgresImage, String kafkaImage) {
        this.postgresImage = postgresImage;
        this.kafkaImage = kafkaImage;
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("No Docker engine answers (Testcontainers found no valid"
                    + " Docker environment, see its log above). Start dockerd, or select the local"
                    + " process backend with -Dsyncline.it.backend=embedded. Without a registry"
                    + " Testcontainers also needs TESTCONTAINERS_RYUK_DISABLED=true and"
                    + " TESTCONTAINERS_HOST_OVERRIDE=localhost.");
        }
        this.docker = DockerClientFactory.instance().client();
        this.host = DockerClientFactory.instance().dockerHostIpAddress();
        this.shutdownHook = new Thread(this::removeAll, "syncline-containers-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.info("[containers] postgres image {}, kafka image {}, docker host {}",
                postgresImage, kafkaImage, host);
    }

    /** The PostgreSQL image from {@value #POSTGRES_IMAGE_PROPERTY}, {@value #POSTGRES_IMAGE_ENV} or the default. */
    public static String configuredPostgresImage() {
        return setting(POSTGRES_IMAGE_PROPERTY, POSTGRES_IMAGE_ENV, DEFAULT_POSTGRES_IMAGE);
    }

    /** The Kafka image from {@value #KAFKA_IMAGE_PROPERTY}, {@value #KAFKA_IMAGE_ENV} or the default. */
    public static String configuredKafkaImage() {
        return setting(KAFKA_IMAGE_PROPERTY, KAFKA_IMAGE_ENV, DEFAULT_KAFKA_IMAGE);
    }

    /**
     * The system property {@code property}, else the environment variable {@code envVar}, else
     * {@code fallback}. Blank values count as unset, and so does a Maven expression left
     * unresolved (Failsafe passes {@code ${x}} through when {@code x} is undefined).
     */
    public static String setting(String property, String envVar, String fallback) {
        String value = System.getProperty(property);
        if (isUnset(value)) {
            value = System.getenv(envVar);
        }
        return isUnset(value) ? fallback : value.trim();
    }

    private static boolean isUnset(String value) {
        return value == null || value.isBlank() || value.startsWith("${");
    }

    public String postgresImage() {
        return postgresImage;
    }

    public String kafkaImage() {
        return kafkaImage;
    }

    @Override
    public ContainerPostgres startPostgres(String name) {
        ensureOpen();
        int hostPort = freeHostPort();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(postgresImage))
                .withEnv("POSTGRES_USER", POSTGRES_USER)
                .withEnv("POSTGRES_PASSWORD", POSTGRES_PASSWORD)
                .withEnv("POSTGRES_DB", POSTGRES_DB)
                .withCommand(POSTGRES_COMMAND.toArray(String[]::new))
                .withCreateContainerCmdModifier(cmd -> publish(cmd, name, "pg", POSTGRES_PORT, hostPort));
        ContainerPostgres server = new ContainerPostgres(name, container, hostPort);
        launch(server);
        return server;
    }

    @Override
    public ContainerKafka startKafka(String name) {
        ensureOpen();
        int hostPort = freeHostPort();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(kafkaImage))
                .withEnv(kafkaSettings(host, hostPort))
                .withCreateContainerCmdModifier(cmd -> publish(cmd, name, "kafka", KAFKA_PORT, hostPort));
        ContainerKafka cluster = new ContainerKafka(name, container, host + ":" + hostPort, hostPort);
        launch(cluster);
        return cluster;
    }

    /**
     * The environment of a single combined KRaft node in the official image's terms. Clients
     * use PLAINTEXT on the published port; the broker talks to itself on BROKER and
     * CONTROLLER, which stay inside the container.
     */
    static Map<String, String> kafkaSettings(String advertisedHost, int hostPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLUSTER_ID", Uuid.randomUuid().toString());
        env.put("KAFKA_NODE_ID", "1");
        env.put("KAFKA_PROCESS_ROLES", "broker,controller");
        env.put("KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:" + KAFKA_PORT
                + ",BROKER://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094");
        env.put("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + advertisedHost + ":" + hostPort
                + ",BROKER://localhost:9093");
        env.put("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT");
        env.put("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
        env.put("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER");
        env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9094");
        env.put("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
        env.put("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "1");
        env.put("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
        env.put("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
        env.put("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "1");
        env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1");
        env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
        env.put("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        // Inside the container's own file system, so docker stop/start keeps it.
        env.put("KAFKA_LOG_DIRS", "/tmp/kraft-combined-logs");
        // The cleaner allocates this buffer up front; 128 MiB by default.
        env.put("KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "8388608");
        env.put("KAFKA_HEAP_OPTS", "-Xms128m -Xmx512m");
        return env;
    }

    @Override
    public String backendName() {
        return "containers";
    }

    /** Removes every container this environment started. Idempotent. */
    @Override
    public void close() {
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs or has run; nothing left to unregister.
        }
    }

    private void removeAll() {
        List<Node> reversed = new ArrayList<>(nodes);
        Collections.reverse(reversed);
        for (Node node : reversed) {
            node.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("environment is closed");
        }
    }

    private void launch(Node node) {
        long started = System.nanoTime();
        nodes.add(node);
        try {
            node.container.start();
            node.awaitReady();
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        node.startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.info("[{}] {} {} ready on {}:{} in {} ms (container {})", node.name, node.kind,
                node.container.getDockerImageName(), host, node.hostPort, node.startupMillis,
                node.containerId().substring(0, 12));
    }

    private static void publish(CreateContainerCmd cmd, String name, String kind, int containerPort,
            int hostPort) {
        ExposedPort exposed = ExposedPort.tcp(containerPort);
        HostConfig hostConfig = cmd.getHostConfig() != null ? cmd.getHostConfig() : HostConfig.newHostConfig();
        hostConfig.withPortBindings(new PortBinding(Ports.Binding.bindPort(hostPort), exposed));
        cmd.withExposedPorts(exposed)
                .withHostConfig(hostConfig)
                .withName("syncline-it-" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-")
                        + "-" + kind + "-" + hostPort);
    }

    private static int freeHostPort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(MIN_HOST_PORT, MAX_HOST_PORT);
            if (!PORTS_TAKEN.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                PORTS_TAKEN.remove(port);
            }
        }
        throw new IllegalStateException("no free host port in [" + MIN_HOST_PORT + ", " + MAX_HOST_PORT + ")");
    }

    /** A started container: docker stop / start / remove plus a readiness check. */
    private abstract class Node {
        final String name;
        final String kind;
        final GenericContainer<?> container;
        final int hostPort;
        volatile long startupMillis;
        private boolean removed;

        Node(String name, String kind, GenericContainer<?> container, int hostPort) {
            this.name = name;
            this.kind = kind;
            this.container = container;
            this.hostPort = hostPort;
        }

        /** Returns normally once the server accepts clients; throws otherwise. */
        abstract void probe() throws Exception;

        /** The Docker container id. */
        public String containerId() {
            return container.getContainerId();
        }

        /** The image the container runs, as it was named when the container was created. */
        public String image() {
            return inspect().getConfig().getImage();
        }

        /** Milliseconds from asking Docker to create the container until it accepted clients. */
        public long startupMillis() {
            return startupMillis;
        }

        /** The last {@code lines} lines the container wrote to stdout and stderr. */
        public String logTail(int lines) {
            String[] all = container.getLogs().split("\n");
            return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
        }

        public synchronized boolean isRunning() {
            if (removed) {
                return false;
            }
            Boolean running = inspect().getState().getRunning();
            return running != null && running;
        }

        public synchronized void start() {
            ensureNotRemoved();
            if (isRunning()) {
                return;
            }
            long started = System.nanoTime();
            try {
                docker.startContainerCmd(containerId()).exec();
            } catch (NotModifiedException alreadyRunning) {
                // Started between the check and the command: fine, wait for it below.
            }
            awaitReady();
            LOG.info("[{}] {} restarted on {}:{} in {} ms", name, kind, host, hostPort,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }

        public synchronized void stop() {
            ensureNotRemoved();
            long started = System.nanoTime();
            try {
                // Sends the image's stop signal (SIGINT for PostgreSQL: fast shutdown), then
                // SIGKILL after the timeout.
                docker.stopContainerCmd(containerId()).withTimeout(30).exec();
            } catch (NotModifiedException alreadyStopped) {
                return;
            }
            LOG.info("[{}] {} stopped in {} ms", name, kind,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }

        public synchronized void close() {
            if (removed) {
                return;
            }
            removed = true;
            nodes.remove(this);
            PORTS_TAKEN.remove(hostPort);
            String id = container.getContainerId();
            if (id == null) {
                return;
            }
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException alreadyGone) {
                // Removed by someone else.
            } catch (RuntimeException e) {
                LOG.warn("[{}] could not remove {} container {}: {}", name, kind, id, e.toString());
            }
        }

        void awaitReady() {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            Exception last = null;
            while (System.nanoTime() < deadline) {
                if (!Boolean.TRUE.equals(inspect().getState().getRunning())) {
                    throw notReady("exited with code " + inspect().getState().getExitCodeLong(), null);
                }
                try {
                    probe();
                    return;
                } catch (Exception e) {
                    last = e;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw notReady("interrupted while waiting", e);
                }
            }
            throw notReady("did not accept clients within " + READY_TIMEOUT.toSeconds() + " s", last);
        }

        private IllegalStateException notReady(String what, Exception cause) {
            return new IllegalStateException(String.format(
                    "[%s] %s container %s (%s, host port %d) %s%s%nLast %d log lines:%n%s",
                    name, kind, containerId(), container.getDockerImageName(), hostPort, what,
                    cause == null ? "" : "; last error: " + cause, LOG_TAIL_LINES,
                    logTail(LOG_TAIL_LINES)), cause);
        }

        private InspectContainerResponse inspect() {
            return docker.inspectContainerCmd(containerId()).exec();
        }

        private void ensureNotRemoved() {
            if (removed) {
                throw new IllegalStateException("[" + name + "] " + kind + " container was closed");
            }
        }
    }

    /** A PostgreSQL server in a container. */
    public final class ContainerPostgres extends Node implements PostgresServer {

        ContainerPostgres(String name, GenericContainer<?> container, int hostPort) {
            super(name, "postgres", container, hostPort);
        }

        @Override
        void probe() throws SQLException {
            Properties props = new Properties();
            props.setProperty("user", user());
            props.setProperty("password", password());
            props.setProperty("connectTimeout", "2");
            props.setProperty("socketTimeout", "5");
            try (Connection connection = DriverManager.getConnection(jdbcUrl(), props)) {
                connection.createStatement().execute("SELECT 1");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String host() {
            return host;
        }

        @Override
        public int port() {
            return hostPort;
        }

        @Override
        public String database() {
            return POSTGRES_DB;
        }

        @Override
        public String user() {
            return POSTGRES_USER;
        }

        @Override
        public String password() {
            return POSTGRES_PASSWORD;
        }
    }

    /** A single-node KRaft Kafka cluster in a container. */
    public final class ContainerKafka extends Node implements KafkaCluster {
        private final String bootstrapServers;

        ContainerKafka(String name, GenericContainer<?> container, String bootstrapServers, int hostPort) {
            super(name, "kafka", container, hostPort);
            this.bootstrapServers = bootstrapServers;
        }

        @Override
        void probe() throws InterruptedException, ExecutionException, TimeoutException {
            Map<String, Object> config = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            try (Admin admin = Admin.create(config)) {
                if (admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                        .nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    throw new IllegalStateException("cluster has no nodes yet");
                }
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String bootstrapServers() {
            return bootstrapServers;
        }
    }
}
