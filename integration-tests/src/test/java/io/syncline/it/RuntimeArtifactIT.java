package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code syncline run} ships: the node module's jar and the dependencies Maven copies beside it (the node image
 * holds exactly these). The lab's embedded Kafka broker and PostgreSQL binaries must not be among them; the check
 * looks inside every jar, so a broker or a server binary arriving through another dependency is caught too.
 */
class RuntimeArtifactIT {

    private static final Path NODE_TARGET = Path.of("..", "node", "target");

    /** Kafka's broker (its main class, the KRaft server) and bundled PostgreSQL server binaries. */
    private static final Pattern SERVER_ENTRY = Pattern.compile(
            "kafka/Kafka\\.class|kafka/server/KafkaRaftServer\\.class|.*postgres-linux-.*\\.txz|.*bin/(postgres|initdb|pg_ctl)");

    @Test
    void theRuntimeHoldsNoKafkaBrokerAndNoPostgresqlBinaries() throws IOException {
        Path jar = NODE_TARGET.resolve("syncline-node.jar");
        Path lib = NODE_TARGET.resolve("lib");
        assertThat(jar).as("the node's jar (built by mvn package)").isRegularFile();
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(file -> file.toString().endsWith(".jar")).sorted().toList();
        }
        assertThat(jars).as("the runtime's dependencies in %s", lib)
                .anyMatch(file -> file.getFileName().toString().startsWith("kafka-clients-"))
                .anyMatch(file -> file.getFileName().toString().startsWith("postgresql-"));

        List<String> servers = new ArrayList<>();
        for (Path file : Stream.concat(Stream.of(jar), jars.stream()).toList()) {
            try (JarFile archive = new JarFile(file.toFile())) {
                archive.stream()
                        .map(entry -> entry.getName())
                        .filter(name -> SERVER_ENTRY.matcher(name).matches())
                        .findFirst()
                        .ifPresent(name -> servers.add(file.getFileName() + ": " + name));
            }
        }
        assertThat(servers).as("broker or PostgreSQL server parts on the runtime's class path").isEmpty();
    }
}
