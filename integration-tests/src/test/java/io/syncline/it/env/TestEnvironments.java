package io.syncline.it.env;

import io.syncline.node.env.Environment;
import io.syncline.node.env.embedded.EmbeddedEnvironment;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the environment the integration tests run against: the system property
 * {@value #BACKEND_PROPERTY} (else the environment variable {@value #BACKEND_ENV}) is
 * {@code embedded} or {@code containers}. Unset or empty: containers where a Docker engine
 * answers, else embedded with a warning.
 */
public final class TestEnvironments {

    public static final String BACKEND_PROPERTY = "syncline.it.backend";
    public static final String BACKEND_ENV = "SYNCLINE_IT_BACKEND";
    private static final Logger LOG = LoggerFactory.getLogger(TestEnvironments.class);

    private TestEnvironments() {}

    public static Environment create() {
        String backend = configuredBackend();
        switch (backend) {
            case "embedded":
                return EmbeddedEnvironment.create();
            case "containers":
                return containers();
            case "":
                if (DockerEngine.answers()) {
                    return containers();
                }
                LOG.warn("!!! No Docker engine answers and {} is not set: running against the EMBEDDED"
                        + " environment (local PostgreSQL processes, in-process Kafka), not containers !!!",
                        BACKEND_PROPERTY);
                return EmbeddedEnvironment.create();
            default:
                throw new IllegalArgumentException("Unknown " + BACKEND_PROPERTY + " '" + backend
                        + "': use embedded or containers");
        }
    }

    private static Environment containers() {
        return new ContainerEnvironment();
    }

    /** The configured backend in lower case, or "" when unset; an unresolved Maven placeholder counts as unset. */
    static String configuredBackend() {
        return ContainerEnvironment.setting(BACKEND_PROPERTY, BACKEND_ENV, "").trim().toLowerCase(Locale.ROOT);
    }
}
