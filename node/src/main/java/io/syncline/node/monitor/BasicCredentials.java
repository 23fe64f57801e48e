package io.syncline.node.monitor;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import io.syncline.core.config.MetricsBasicAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The one user name and password of {@code metrics.basic-auth}, checked in constant time
 * (RFC 7617). The password is read once, when the endpoint starts. Immutable.
 */
final class BasicCredentials {

    static final String REALM = "syncline";

    private final byte[] username;
    private final byte[] password;

    private BasicCredentials(String username, String password) {
        this.username = username.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    /** @throws io.syncline.core.config.SecretUnavailableException if the password cannot be read (named in the message) */
    static BasicCredentials of(MetricsBasicAuth auth) {
        return new BasicCredentials(auth.username(), auth.password().reveal());
    }

    boolean matches(String user, String pass) {
        // Both compared, whatever the first gives, so that the time does not tell which one was wrong.
        boolean userMatches = MessageDigest.isEqual(username, user.getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches = MessageDigest.isEqual(password, pass.getBytes(StandardCharsets.UTF_8));
        return userMatches & passwordMatches;
    }

    /** Whether the request carries these credentials in its {@code Authorization: Basic} header. */
    boolean presentIn(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon >= 0 && matches(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** The authenticator of the protected paths: 401 with a {@code WWW-Authenticate} challenge unless they match. */
    BasicAuthenticator authenticator() {
        return new BasicAuthenticator(REALM, StandardCharsets.UTF_8) {
            @Override
            public boolean checkCredentials(String user, String pass) {
                return matches(user, pass);
            }
        };
    }
}
