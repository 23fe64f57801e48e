package io.syncline.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 server run from the Debian binaries, as user {@code postgres} when
 * the tests run as root (PostgreSQL refuses root). Stands in for the shared test environment
 * until it is available; trust authentication on 127.0.0.1 only.
 */
final class LocalPostgres implements AutoCloseable {

    private static final Path BIN = Path.of(System.getProperty("syncline.it.pgbin", "/usr/lib/postgresql/15/bin"));

    private final String name;
    private final Path dir;
    private final Path data;
    private final int port;

    private LocalPostgres(String name, Path dir, int port) {
        this.name = name;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    static LocalPostgres start(String name) {
        try {
            Path dir = Files.createTempDirectory("syncline-it-" + name + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            LocalPostgres server = new LocalPostgres(name, dir, port);
            server.run(BIN.resolve("initdb").toString(), "-D", server.data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8");
            server.run(BIN.resolve("pg_ctl").toString(), "-D", server.data.toString(), "-l", dir.resolve("log").toString(), "-w",
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                            + " -c wal_level=logical -c track_commit_timestamp=on -c max_replication_slots=10"
                            + " -c timezone=US/Samoa -c fsync=off",
                    "start");
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    String user() {
        return "postgres";
    }

    String password() {
        return "";
    }

    @Override
    public void close() {
        try {
            run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: it is a temporary directory
            }
        }
    }

    private void run(String... command) {
        List<String> full = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("cmd.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(name + ": " + String.join(" ", full) + " failed:\n"
                        + Files.readString(dir.resolve("cmd.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
