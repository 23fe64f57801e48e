package io.syncline.it.env;

import io.syncline.lab.env.Environment;
import io.syncline.lab.env.embedded.EmbeddedEnvironment;
import java.util.Locale;
import java.util.function.BooleanSupplier;
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

    /** Where the servers of the integration tests run. */
    public enum Backend {
        /** Local processes: {@link EmbeddedEnvironment}. */
        EMBEDDED,
        /** Docker containers: {@link ContainerEnvironment}. */
        CONTAINERS
    }

    private TestEnvironments() {}

    /** A new environment of the {@linkplain #selectedBackend() selected backend}; the caller closes it. */
    public static Environment create() {
        switch (selectedBackend()) {
            case CONTAINERS:
                return new ContainerEnvironment();
            case EMBEDDED:
            default:
                return EmbeddedEnvironment.create();
        }
    }

    /**
     * The backend {@link #create()} uses: the configured one, else containers when a Docker
     * engine answers now, else embedded (logged as a warning).
     *
     * @throws IllegalArgumentException if the configured backend is neither name
     */
    public static Backend selectedBackend() {
        return select(configuredBackend(), DockerEngine::answers);
    }

    static Backend select(String configured, BooleanSupplier dockerAnswers) {
        switch (configured) {
            case "embedded":
                return Backend.EMBEDDED;
            case "containers":
                return Backend.CONTAINERS;
            case "":
                if (dockerAnswers.getAsBoolean()) {
                    return Backend.CONTAINERS;
                }
                LOG.warn("!!! No Docker engine answers and {} is not set: running against the EMBEDDED"
                        + " environment (local PostgreSQL processes, in-process Kafka), not containers !!!",
                        BACKEND_PROPERTY);
                return Backend.EMBEDDED;
            default:
                throw new IllegalArgumentException("Unknown " + BACKEND_PROPERTY + " '" + configured
                        + "': use embedded or containers");
        }
    }

    /** The configured backend in lower case, or "" when unset; an unresolved Maven placeholder counts as unset. */
    static String configuredBackend() {
        return ContainerEnvironment.setting(BACKEND_PROPERTY, BACKEND_ENV, "").trim().toLowerCase(Locale.ROOT);
    }
}
