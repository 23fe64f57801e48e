package io.syncline.node.monitor;

import io.syncline.core.config.MetricsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Asks a node's own endpoint, as {@code syncline status} does on the node's host: with the node's
 * config it knows the address, sends the {@code metrics.basic-auth} credentials, and over HTTPS
 * trusts exactly the certificates of the node's own keystore. Since those certificates are pinned,
 * the host name is not checked against them (the loopback address a node listening on
 * {@code 0.0.0.0} is asked on is rarely in its certificate). Immutable.
 */
public final class EndpointClient {

    private final URI base;
    private final Optional<SSLContext> trust;
    private final Optional<String> authorization;

    private EndpointClient(URI base, Optional<SSLContext> trust, Optional<String> authorization) {
        this.base = base;
        this.trust = trust;
        this.authorization = authorization;
    }

    /**
     * The client of the endpoint {@code settings} configure; a node listening on {@code 0.0.0.0} is asked on 127.0.0.1.
     *
     * @throws IOException if the keystore cannot be read (named in the message)
     * @throws IllegalArgumentException if {@code metrics.listen} is not set
     */
    public static EndpointClient of(String nodeId, MetricsSettings settings) throws IOException {
        String host = settings.host().orElseThrow(() -> new IllegalArgumentException("metrics.listen is not set"));
        URI base = URI.create(settings.scheme() + "://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":"
                + settings.port().orElseThrow());
        Optional<SSLContext> trust = Optional.empty();
        if (settings.tls().isPresent()) {
            trust = Optional.of(pinned(nodeId, settings));
        }
        Optional<String> authorization = settings.basicAuth().map(auth -> "Basic " + Base64.getEncoder().encodeToString(
                (auth.username() + ":" + auth.password().reveal()).getBytes(StandardCharsets.UTF_8)));
        return new EndpointClient(base, trust, authorization);
    }

    private static SSLContext pinned(String nodeId, MetricsSettings settings) throws IOException {
        var tls = settings.tls().orElseThrow();
        try {
            KeyStore own = EndpointServer.keystore(tls.keystore().toFile(), tls.keystorePassword().reveal().toCharArray());
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (String alias : Collections.list(own.aliases())) {
                Certificate certificate = own.getCertificate(alias);
                if (certificate != null) {
                    trusted.setCertificateEntry(alias, certificate);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException("[" + nodeId + "] cannot trust the certificates of " + tls.keystore()
                    + " (metrics.tls.keystore): " + e.getMessage(), e);
        }
    }

    /** What {@code path} answered. */
    public record Response(int status, String body) {}

    public URI uri(String path) {
        return base.resolve(path);
    }

    /** GETs {@code path}, waiting at most {@code timeout} to connect and as long to read. */
    public Response get(String path, Duration timeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri(path).toURL().openConnection();
        try {
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            if (connection instanceof HttpsURLConnection https && trust.isPresent()) {
                https.setSSLSocketFactory(trust.get().getSocketFactory());
                https.setHostnameVerifier((hostname, session) -> true);
            }
            authorization.ifPresent(value -> connection.setRequestProperty("Authorization", value));
            int status = connection.getResponseCode();
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String body = stream == null ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } finally {
            connection.disconnect();
        }
    }
}
