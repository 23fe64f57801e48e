package io.syncline.node.monitor;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.syncline.core.config.MetricsTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Creates the JDK HTTP server of {@code metrics.listen}: HTTPS with the keystore of {@code metrics.tls}, else HTTP. */
final class EndpointServer {

    private EndpointServer() {}

    /**
     * @throws IOException if the address cannot be bound, or the keystore cannot be read (both named in the message)
     */
    static HttpServer create(String nodeId, String host, int port, Optional<MetricsTls> tls) throws IOException {
        SSLContext ssl = tls.isPresent() ? sslContext(nodeId, tls.get()) : null;
        InetSocketAddress address = new InetSocketAddress(host, port);
        try {
            if (ssl == null) {
                return HttpServer.create(address, 16);
            }
            HttpsServer server = HttpsServer.create(address, 16);
            server.setHttpsConfigurator(new HttpsConfigurator(ssl));
            return server;
        } catch (IOException e) {
            throw new IOException("[" + nodeId + "] cannot listen on " + host + ":" + port + " (metrics.listen): "
                    + e.getMessage(), e);
        }
    }

    /** The server's TLS context: the keystore's key and chain, its password also the key's (as keytool makes them). */
    static SSLContext sslContext(String nodeId, MetricsTls tls) throws IOException {
        char[] password = tls.keystorePassword().reveal().toCharArray();
        try {
            KeyStore keystore = keystore(tls.keystore().toFile(), password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keystore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException("[" + nodeId + "] cannot use the keystore " + tls.keystore() + " (metrics.tls.keystore): "
                    + e.getMessage() + "; expected a readable PKCS12 or JKS file with a private key, opened by"
                    + " metrics.tls.keystore-password", e);
        }
    }

    /** The keystore in {@code file}, PKCS12 or JKS (recognized by its content). */
    static KeyStore keystore(java.io.File file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keystore = KeyStore.getInstance(file, password);
        boolean hasKey = false;
        for (String alias : java.util.Collections.list(keystore.aliases())) {
            hasKey |= keystore.isKeyEntry(alias);
        }
        if (!hasKey) {
            throw new GeneralSecurityException("it holds no private key");
        }
        return keystore;
    }
}
