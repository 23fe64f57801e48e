package io.syncline.lab.env.embedded;

import io.syncline.lab.env.Environment;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Environment} of local processes: PostgreSQL servers run with {@code pg_ctl} (as an
 * unprivileged user when this JVM is root, see {@link PostgresBinaries} for where the programs
 * come from) and Kafka clusters run inside this JVM, all listening on 127.0.0.1 only.
 *
 * <p>Everything lives in one work directory, removed by {@link #close()}. A JVM shutdown hook
 * closes environments that are still open, so no server outlives the JVM unless it is killed
 * outright. Thread-safe: servers of different names may be started concurrently.
 */
public final class EmbeddedEnvironment implements Environment {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
    private static final Set<EmbeddedEnvironment> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEnvironment.class);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedEnvironment::closeAllOpen, "syncline-env-shutdown"));
    }

    private final Path workDir;
    private final ServerUser serverUser = ServerUser.detect();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private boolean closed;

    private EmbeddedEnvironment(Path workDir) {
        this.workDir = workDir;
    }

    /** An environment in a new temporary directory under {@code java.io.tmpdir}. */
    public static EmbeddedEnvironment create() {
        try {
            return create(Files.createTempDirectory("syncline-env-"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory", e);
        }
    }

    /**
     * An environment in {@code workDir}, created if absent and removed by {@link #close()}.
     * When this JVM is root the directory is made traversable for the PostgreSQL server user.
     */
    public static EmbeddedEnvironment create(Path workDir) {
        EmbeddedEnvironment environment = new EmbeddedEnvironment(Dirs.create(workDir, "rwxr-xr-x"));
        OPEN.add(environment);
        LOG.info("Embedded environment in {}", workDir);
        return environment;
    }

    /** The directory holding every server's data. */
    public Path workDir() {
        return workDir;
    }

    @Override
    public String backendName() {
        return "embedded";
    }

    /**
     * A client program ({@code pg_dump}, {@code psql}) of the PostgreSQL binaries the servers run
     * on; empty when that build has none (the bundled zonky build has the server programs only).
     */
    public static Optional<Path> clientProgram(String program) {
        Path path = postgresBinDir().resolve(program);
        return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }

    /** The bin directory of the PostgreSQL binaries the servers run on. */
    public static Path postgresBinDir() {
        return PostgresBinaries.resolve().binDir();
    }

    @Override
    public PostgresServer startPostgres(String name) {
        PostgresBinaries binaries = PostgresBinaries.resolve();
        LocalPostgres postgres = register(name + "-pg", new LocalPostgres(name, workDir.resolve(name + "-pg"),
                binaries, serverUser));
        postgres.initialize();
        return postgres;
    }

    @Override
    public KafkaCluster startKafka(String name) {
        InProcessKafka kafka = register(name + "-kafka", new InProcessKafka(name, workDir.resolve(name + "-kafka")));
        kafka.initialize();
        return kafka;
    }

    private synchronized <T extends AutoCloseable> T register(String directoryName, T server) {
        if (closed) {
            throw new IllegalStateException("Environment in " + workDir + " is closed");
        }
        if (!NAME.matcher(directoryName.substring(0, directoryName.lastIndexOf('-'))).matches()) {
            throw new IllegalArgumentException("Bad datacenter name '" + directoryName
                    + "': use lower-case letters, digits and '-', at most 31 characters");
        }
        if (!names.add(directoryName)) {
            throw new IllegalArgumentException("Already started: " + directoryName);
        }
        // Registered before it starts, so that close() also ends a server whose start failed half-way.
        started.add(server);
        return server;
    }

    /** Stops every server, removes their data and the work directory; idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(started);
        }
        OPEN.remove(this);
        Collections.reverse(toClose);
        RuntimeException failure = null;
        for (AutoCloseable server : toClose) {
            try {
                server.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Cannot close every server of " + workDir, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            Dirs.deleteRecursively(workDir);
        } catch (UncheckedIOException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAllOpen() {
        List<EmbeddedEnvironment> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
        }
        for (EmbeddedEnvironment environment : open) {
            try {
                environment.close();
            } catch (RuntimeException e) {
                // The JVM is exiting: report on stderr, logging may already be shut down.
                System.err.println("Closing embedded environment " + environment.workDir + " at exit failed: " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedEnvironment[" + workDir + ", PostgreSQL as " + serverUser + "]";
    }

}
