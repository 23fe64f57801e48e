package io.syncline.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A password or other secret named by the configuration. The value is read only when
 * {@link #reveal()} is called, so a configuration can be loaded and validated on a machine
 * that does not hold the secrets, and the value never sits in the config objects.
 *
 * <p>{@link #toString()} never shows the value, so configs can be logged as they are.
 * Immutable and thread-safe.
 */
public final class Secret {

    /** Where the value comes from. */
    public enum Source {
        /** An environment variable of the node's process ({@code password-env}). */
        ENVIRONMENT,
        /** A file, e.g. a mounted Kubernetes or Docker secret ({@code password-file}). */
        FILE,
        /** Written in the config file itself ({@code password}); allowed only on request. */
        PLAINTEXT
    }

    private final Source source;
    private final String reference;
    private final String origin;

    private Secret(Source source, String reference, String origin) {
        this.source = Objects.requireNonNull(source, "source");
        this.reference = Objects.requireNonNull(reference, "reference");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /**
     * A secret held by an environment variable.
     *
     * @param variable the variable name
     * @param origin the setting that named it, for error messages (e.g.
     *     {@code "database.password-env (dc-a.yaml:5:17)"}); may be empty
     */
    public static Secret fromEnvironment(String variable, String origin) {
        return new Secret(Source.ENVIRONMENT, variable, origin);
    }

    /**
     * A secret held by a file; the whole content, less one trailing line break, is the value.
     *
     * @param file the file, absolute or relative to the working directory
     * @param origin the setting that named it, for error messages; may be empty
     */
    public static Secret fromFile(Path file, String origin) {
        return new Secret(Source.FILE, file.toString(), origin);
    }

    /** A secret written in plain text; prefer {@link #fromEnvironment} or {@link #fromFile}. */
    public static Secret plaintext(String value, String origin) {
        return new Secret(Source.PLAINTEXT, value, origin);
    }

    public Source source() {
        return source;
    }

    /**
     * The variable name or file path that holds the secret; empty for a plain-text secret
     * (its reference is the value itself).
     */
    public String reference() {
        return source == Source.PLAINTEXT ? "" : reference;
    }

    /**
     * Reads the value from the process environment or the file now.
     *
     * @throws SecretUnavailableException if the variable is unset or empty, or the file is
     *     missing, unreadable or empty
     */
    public String reveal() {
        return reveal(System::getenv);
    }

    /**
     * As {@link #reveal()}, looking environment variables up in {@code environment} (which
     * returns null for an unset variable).
     */
    public String reveal(UnaryOperator<String> environment) {
        switch (source) {
            case PLAINTEXT:
                return reference;
            case ENVIRONMENT:
                String value = environment.apply(reference);
                if (value == null || value.isEmpty()) {
                    throw unavailable("environment variable " + reference + " is not set"
                            + (value == null ? "" : " (it is empty)"));
                }
                return value;
            case FILE:
                return readFile();
            default:
                throw new IllegalStateException("unhandled secret source " + source);
        }
    }

    private String readFile() {
        String content;
        try {
            content = Files.readString(Path.of(reference), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unavailable("cannot read secret file " + reference + ": " + e);
        }
        // `echo secret > file` and most secret stores end the file with a line break that is
        // not part of the secret.
        if (content.endsWith("\r\n")) {
            content = content.substring(0, content.length() - 2);
        } else if (content.endsWith("\n")) {
            content = content.substring(0, content.length() - 1);
        }
        if (content.isEmpty()) {
            throw unavailable("secret file " + reference + " is empty");
        }
        return content;
    }

    private SecretUnavailableException unavailable(String why) {
        return new SecretUnavailableException(origin.isEmpty() ? why : origin + ": " + why);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && s.source == source && s.reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, reference);
    }

    /** {@code Secret[env:NAME]}, {@code Secret[file:/path]} or {@code Secret[****]}: never the value. */
    @Override
    public String toString() {
        switch (source) {
            case ENVIRONMENT:
                return "Secret[env:" + reference + "]";
            case FILE:
                return "Secret[file:" + reference + "]";
            default:
                return "Secret[****]";
        }
    }
}
