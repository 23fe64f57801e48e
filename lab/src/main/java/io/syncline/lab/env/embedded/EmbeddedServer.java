package io.syncline.lab.env.embedded;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle the embedded servers share: new until initialized, then running; {@link #stop()}
 * and {@link #start()} move between running and stopped on the same files; {@link #close()} stops
 * the server for good and removes its directory. Subclasses prepare, start and stop the server
 * itself; the transitions and their checks live here. Lifecycle methods are synchronized.
 */
abstract class EmbeddedServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    protected final String name;
    /** The directory of the server's files, removed by {@link #close()}. */
    protected final Path dir;
    private final String kind;
    private State state = State.NEW;

    /** @param kind what the server is, for messages: "Kafka", "PostgreSQL" */
    EmbeddedServer(String kind, String name, Path dir) {
        this.kind = kind;
        this.name = name;
        this.dir = dir;
    }

    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /** Throws unless the server was never initialized; the first step of a subclass's initialization. */
    protected final void requireNew() {
        if (state != State.NEW) {
            throw new IllegalStateException("[" + name + "] " + kind + " already initialized");
        }
    }

    /** Starts the server; from its first step on it may be running, so stop() and close() act on it. */
    protected final void launch() {
        state = State.RUNNING;
        startServer();
    }

    public synchronized void start() {
        switch (state) {
            case RUNNING:
                return;
            case STOPPED:
                launch();
                LOG.info("[{}] {} started again at {}", name, kind, address());
                return;
            default:
                throw new IllegalStateException("[" + name + "] Cannot start " + kind + " in state " + state);
        }
    }

    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        if (mayStillRun()) {
            stopServer();
        }
        state = State.STOPPED;
        LOG.info("[{}] {} stopped", name, kind);
    }

    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            if (mayStillRun()) {
                stopServer();
            }
        } finally {
            state = State.CLOSED;
            Dirs.deleteRecursively(dir);
            LOG.info("[{}] {} closed, {} removed", name, kind, dir);
        }
    }

    /** Starts the server process and returns once it serves. */
    protected abstract void startServer();

    /** Stops the server process and waits for it to end. */
    protected abstract void stopServer();

    /** Whether a server process may be running: after a start, also a failed one, until it is stopped. */
    protected abstract boolean mayStillRun();

    /** Where clients reach the server, for messages. */
    protected abstract String address();
}
