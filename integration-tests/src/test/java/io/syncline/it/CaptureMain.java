package io.syncline.it;

import io.syncline.connector.CaptureConfig;
import io.syncline.connector.LocalCapture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a capture in its own JVM, so that {@link CaptureIT} can kill it without a shutdown.
 *
 * <p>Arguments: node id, database host, port, database, user, comma-separated tables, data
 * directory, Kafka bootstrap servers. The database password comes from the environment
 * variable {@value #PASSWORD_ENV}, not the command line, where {@code ps} would show it.
 */
public final class CaptureMain {

    static final String PASSWORD_ENV = "SYNCLINE_IT_DATABASE_PASSWORD";

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            throw new IllegalArgumentException("usage: CaptureMain NODE HOST PORT DATABASE USER TABLES DATA_DIR BOOTSTRAP");
        }
        String password = Objects.requireNonNullElse(System.getenv(PASSWORD_ENV), "");
        CaptureConfig config = new CaptureConfig(args[0], args[1], Integer.parseInt(args[2]), args[3], args[4], password,
                List.of(args[5].split(",")), Path.of(args[6]), Map.of("bootstrap.servers", args[7]));
        LocalCapture capture = new LocalCapture(config);
        capture.start();
        capture.termination().join();
    }
}
