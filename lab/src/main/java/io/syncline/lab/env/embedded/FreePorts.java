package io.syncline.lab.env.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Picks free TCP ports on 127.0.0.1. A port is handed out at most once per JVM, so servers
 * that have not bound theirs yet do not get the same one. Thread-safe.
 */
final class FreePorts {

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {}

    static synchronized int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("No unused free port on 127.0.0.1 after 100 attempts");
    }
}
