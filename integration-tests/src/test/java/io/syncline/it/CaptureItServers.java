package io.syncline.it;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A local PostgreSQL 15 cluster (run as the {@code postgres} user, PostgreSQL refuses root) and an
 * in-process single-node KRaft Kafka for {@link CaptureIT}, until the shared test environment
 * provides them.
 */
final class CaptureItServers {

    private CaptureItServers() {}

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running PostgreSQL; {@link #close()} stops it and removes its data. */
    static final class Postgres implements AutoCloseable {
        final Path dir;
        final int port;
        private final String bin;

        Postgres() throws Exception {
            bin = List.of("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin").stream()
                    .filter(p -> Files.exists(Path.of(p, "initdb"))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql"));
            dir = Files.createTempDirectory("syncline-capture-it-pg");
            port = freePort();
            run("chown", "-R", "postgres", dir.toString());
            asPostgres(bin + "/initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8");
            Files.writeString(dir.resolve("data/postgresql.conf"), String.join("\n",
                    "wal_level=logical", "track_commit_timestamp=on", "port=" + port, "listen_addresses='127.0.0.1'",
                    "unix_socket_directories='" + dir + "'", "max_replication_slots=10", "max_wal_senders=10",
                    "timezone='US/Samoa'", "fsync=off", ""), java.nio.file.StandardOpenOption.APPEND);
            asPostgres(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "start");
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        private void asPostgres(String... command) throws Exception {
            String[] full = new String[command.length + 4];
            full[0] = "runuser";
            full[1] = "-u";
            full[2] = "postgres";
            full[3] = "--";
            System.arraycopy(command, 0, full, 4, command.length);
            run(full);
        }

        @Override
        public void close() throws Exception {
            asPostgres(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            run("rm", "-rf", dir.toString());
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    /** An in-process KRaft broker+controller (Kafka 4.3.1), internal topics at replication factor 1. */
    static final class Kafka implements AutoCloseable {
        final int port;
        final Path dir;
        private final kafka.server.KafkaRaftServer server;

        Kafka() throws Exception {
            port = freePort();
            int controllerPort = freePort();
            dir = Files.createTempDirectory("syncline-capture-it-kafka");
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", dir.resolve("logs").toString());
            props.put("offsets.topic.replication.factor", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("log.cleaner.dedupe.buffer.size", "8388608");
            props.put("num.partitions", "1");
            Path config = dir.resolve("server.properties");
            try (var out = Files.newOutputStream(config)) {
                props.store(out, null);
            }
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                    "-c", config.toString(), "--standalone", "--ignore-formatted"}, new PrintStream(java.io.OutputStream.nullOutputStream()));
            if (rc != 0) {
                throw new IllegalStateException("kafka storage format failed: " + rc);
            }
            server = new kafka.server.KafkaRaftServer(kafka.server.KafkaConfig.fromProps(props, false),
                    org.apache.kafka.common.utils.Time.SYSTEM);
            server.startup();
        }

        String bootstrap() {
            return "127.0.0.1:" + port;
        }

        @Override
        public void close() throws Exception {
            server.shutdown();
            server.awaitShutdown();
            run("rm", "-rf", dir.toString());
        }
    }
}
