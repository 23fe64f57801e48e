package io.syncline.it.env;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks the Docker engine at {@code DOCKER_HOST} (default {@code unix:///var/run/docker.sock})
 * for {@code GET /_ping}. Deliberately not Testcontainers' {@code isDockerAvailable()}: that
 * also starts Ryuk, whose image cannot be pulled here, and retries the pull for minutes.
 */
public final class DockerEngine {

    private DockerEngine() {}

    /** True when an engine answers the ping within two seconds. */
    public static boolean answers() {
        try {
            return CompletableFuture.supplyAsync(DockerEngine::ping).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean ping() {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        URI uri = URI.create(host);
        try (SocketChannel channel = open(uri)) {
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            String response = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.US_ASCII);
            return response.startsWith("HTTP/1.") && response.contains(" 200 ");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static SocketChannel open(URI uri) throws IOException {
        if ("unix".equals(uri.getScheme())) {
            Path socket = Path.of(uri.getPath());
            if (!Files.exists(socket)) {
                throw new IOException("no socket " + socket);
            }
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        }
        return SocketChannel.open(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
    }
}
