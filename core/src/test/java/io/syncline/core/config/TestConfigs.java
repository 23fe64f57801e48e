package io.syncline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A valid config to break one line at a time, and helpers to load text. */
final class TestConfigs {

    /** Line numbers are asserted by the tests: keep every line where it is. */
    static final String RING = """
            node:
              id: dc-a
            database:
              url: jdbc:postgresql://localhost:5432/app
              user: syncline
              password-env: SYNCLINE_DB_PASSWORD
              pool-size: 8
            kafka:
              bootstrap-servers: localhost:9092
            topology:
              kind: ring
              nodes: [dc-a, dc-b, dc-c]
              failure-timeout: 30s
            peers:
              - id: dc-b
                kafka: {bootstrap-servers: localhost:9093}
              - id: dc-c
                kafka: {bootstrap-servers: localhost:9094}
            tables:
              - public.accounts
            conflict:
              default-policy: lww
            """;

    private TestConfigs() {}

    static Path write(Path dir, String yaml) {
        try {
            Path file = dir.resolve("node.yaml");
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NodeConfig load(Path dir, String yaml) {
        return NodeConfigLoader.load(write(dir, yaml));
    }

    /** The problems of a config that must be refused. */
    static List<ConfigProblem> problems(Path dir, String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(dir, yaml));
        assertThat(e).as("config should be refused:\n%s", yaml).isNotNull();
        return e.problems();
    }

    /** The single problem of a config that must be refused for exactly one reason. */
    static ConfigProblem onlyProblem(Path dir, String yaml) {
        List<ConfigProblem> problems = problems(dir, yaml);
        assertThat(problems).as("problems").hasSize(1);
        return problems.get(0);
    }

    /** {@code RING} with {@code from} (which must occur once) replaced by {@code to}. */
    static String ringWith(String from, String to) {
        assertThat(RING.split(java.util.regex.Pattern.quote(from), -1)).as("occurrences of %s", from).hasSize(2);
        return RING.replace(from, to);
    }
}
