package io.syncline.it;

import io.syncline.connector.CaptureConfig;
import io.syncline.connector.LocalCapture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs a capture in its own JVM, so that {@link CaptureIT} can kill it without a shutdown. */
public final class CaptureMain {

    public static void main(String[] args) throws Exception {
        CaptureConfig config = new CaptureConfig(args[0], "127.0.0.1", Integer.parseInt(args[1]), "postgres", "postgres", "",
                List.of(args[2].split(",")), Path.of(args[3]), Map.of("bootstrap.servers", args[4]));
        LocalCapture capture = new LocalCapture(config);
        capture.start();
        capture.termination().join();
    }
}
