package io.syncline.core.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The pgjdbc connection parameters {@code database.url} may carry. Each one reaches every
 * connection a node opens: the applier's pool, the capture's checks, the lease, {@code syncline
 * init} (all through pgjdbc with the URL as written) and Debezium's capture connections (as the
 * connector property {@code database.<name>}, which Debezium's {@code RelationalDatabaseConnectorConfig}
 * hands to pgjdbc with the prefix removed; {@code database.sslmode}, {@code database.sslrootcert},
 * {@code database.sslcert}, {@code database.sslkey}, {@code database.sslpassword},
 * {@code database.sslfactory} and {@code database.tcpKeepAlive} are also named fields of its
 * {@code PostgresConnectorConfig}). Names are pgjdbc's ({@code org.postgresql.PGProperty}), case included.
 */
public enum ConnectionParameter {
    SSL("ssl"),
    SSL_MODE("sslmode", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    SSL_ROOT_CERT("sslrootcert"),
    SSL_CERT("sslcert"),
    SSL_KEY("sslkey"),
    SSL_PASSWORD("sslpassword"),
    SSL_FACTORY("sslfactory"),
    SSL_FACTORY_ARG("sslfactoryarg"),
    SSL_HOSTNAME_VERIFIER("sslhostnameverifier"),
    SSL_PASSWORD_CALLBACK("sslpasswordcallback"),
    SSL_NEGOTIATION("sslNegotiation", "postgres", "direct"),
    SSL_RESPONSE_TIMEOUT("sslResponseTimeout"),
    GSS_ENC_MODE("gssEncMode", "disable", "allow", "prefer", "require"),
    CHANNEL_BINDING("channelBinding", "disable", "prefer", "require"),
    CONNECT_TIMEOUT("connectTimeout"),
    LOGIN_TIMEOUT("loginTimeout"),
    SOCKET_TIMEOUT("socketTimeout"),
    CANCEL_SIGNAL_TIMEOUT("cancelSignalTimeout"),
    TCP_KEEP_ALIVE("tcpKeepAlive", "true", "false"),
    TCP_NO_DELAY("tcpNoDelay", "true", "false"),
    OPTIONS("options"),
    APPLICATION_NAME("ApplicationName");

    /** Parameters the node sets itself, with why they may not come from the URL. */
    private static final Set<String> OWN_SETTINGS = Set.of("user", "password");
    private static final Set<String> PER_CONNECTION = Set.of("replication", "preferQueryMode");
    private static final Set<String> MULTI_HOST = Set.of("targetServerType", "loadBalanceHosts", "hostRecheckSeconds");

    private final String urlName;
    private final Set<String> allowedValues;

    ConnectionParameter(String urlName, String... allowedValues) {
        this.urlName = urlName;
        this.allowedValues = Set.of(allowedValues);
    }

    /** The name in the URL and in pgjdbc. */
    public String urlName() {
        return urlName;
    }

    /** The property of Debezium's PostgreSQL connector that carries it to the capture's connections. */
    public String debeziumProperty() {
        return "database." + urlName;
    }

    /** The parameter named {@code name} in a URL, exactly as pgjdbc spells it. */
    public static Optional<ConnectionParameter> forUrlName(String name) {
        return Arrays.stream(values()).filter(p -> p.urlName.equals(name)).findFirst();
    }

    /**
     * Why {@code name=value} cannot be used, or empty when it can.
     */
    static Optional<String> refusal(String name, String value) {
        if (OWN_SETTINGS.contains(name)) {
            return Optional.of("parameter '" + name + "' belongs in database." + name
                    + (name.equals("password") ? " (or password-env / password-file)" : "") + ", not in the URL");
        }
        if (PER_CONNECTION.contains(name)) {
            return Optional.of("parameter '" + name + "' is set by Syncline for each of its connections; remove it");
        }
        if (MULTI_HOST.contains(name)) {
            return Optional.of("parameter '" + name + "' is for lists of hosts; a node connects to one server:"
                    + " name it (or a proxy in front of the primary) and remove the parameter");
        }
        Optional<ConnectionParameter> known = forUrlName(name);
        if (known.isEmpty()) {
            return Optional.of("parameter '" + name + "' is not one Syncline passes to every connection (the capture"
                    + " included); supported: " + String.join(", ", Arrays.stream(values()).map(p -> p.urlName).toList()));
        }
        ConnectionParameter parameter = known.get();
        if (!parameter.allowedValues.isEmpty() && !parameter.allowedValues.contains(value)) {
            return Optional.of("parameter '" + name + "' is '" + value + "'; expected one of "
                    + String.join(", ", parameter.allowedValues.stream().sorted().toList()));
        }
        return Optional.empty();
    }
}
