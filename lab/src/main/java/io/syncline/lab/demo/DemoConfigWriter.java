package io.syncline.lab.demo;

import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the node config files of locally started datacenters (the demo's, and the integration
 * tests'), so that they go through the same YAML loading and validation as a real deployment.
 * The database password goes to a file of its own. Stateless.
 */
public final class DemoConfigWriter {

    private DemoConfigWriter() {}

    /**
     * Writes {@code <directory>/<nodeId>.yaml} (and {@code <nodeId>.db-password}) for one of {@code nodes}.
     *
     * @param topologyKind the YAML spelling ({@code all-to-all}, {@code ring}, {@code star}: the hub is the first node)
     * @param kafka        every node's Kafka, in the order of {@code nodes}
     * @return the config file
     */
    public static Path write(Path directory, String nodeId, List<String> nodes, String topologyKind, PostgresServer database,
                      List<KafkaCluster> kafka, List<String> tables) throws IOException {
        return write(directory, nodeId, nodes, topologyKind, database, kafka, tables, Map.of());
    }

    /**
     * As {@link #write(Path, String, List, String, PostgresServer, List, List)}, with a conflict
     * section for some of the tables.
     *
     * @param conflicts table -> the value of its {@code conflict:} key as a YAML flow mapping, e.g.
     *                  {@code {policy: max}} or {@code {columns: {hits: {policy: delta}}}}; tables not
     *                  in the map use the default policy
     */
    public static Path write(Path directory, String nodeId, List<String> nodes, String topologyKind, PostgresServer database,
                      List<KafkaCluster> kafka, List<String> tables, Map<String, String> conflicts) throws IOException {
        return write(directory, nodeId, nodes, topologyKind, database, kafka, tables, conflicts, null);
    }

    /**
     * As {@link #write(Path, String, List, String, PostgresServer, List, List, Map)}, with
     * {@code topology.failure-timeout} set.
     *
     * @param failureTimeout how long a silent peer counts as alive; {@code null} for the default
     */
    public static Path write(Path directory, String nodeId, List<String> nodes, String topologyKind, PostgresServer database,
                      List<KafkaCluster> kafka, List<String> tables, Map<String, String> conflicts, Duration failureTimeout)
            throws IOException {
        Files.createDirectories(directory);
        Path passwordFile = directory.resolve(nodeId + ".db-password");
        Files.writeString(passwordFile, database.password());
        StringBuilder yaml = new StringBuilder();
        yaml.append("node:\n  id: ").append(nodeId).append('\n');
        yaml.append("database:\n  url: ").append(database.jdbcUrl()).append('\n')
                .append("  user: ").append(database.user()).append('\n')
                .append("  password-file: ").append(passwordFile).append('\n');
        yaml.append("kafka:\n  bootstrap-servers: ").append(kafka.get(nodes.indexOf(nodeId)).bootstrapServers()).append('\n');
        yaml.append("topology:\n  kind: ").append(topologyKind).append('\n')
                .append("  nodes: [").append(String.join(", ", nodes)).append("]\n");
        if (failureTimeout != null) {
            yaml.append("  failure-timeout: ").append(failureTimeout.toMillis()).append("ms\n");
        }
        if (topologyKind.equals("star")) {
            yaml.append("  hub: ").append(nodes.get(0)).append('\n');
        }
        yaml.append("peers:\n");
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).equals(nodeId)) {
                yaml.append("  - id: ").append(nodes.get(i)).append('\n')
                        .append("    kafka:\n      bootstrap-servers: ").append(kafka.get(i).bootstrapServers()).append('\n');
            }
        }
        yaml.append("tables:\n").append(tables.stream().map(t -> conflicts.containsKey(t)
                ? "  - name: " + t + "\n    conflict: " + conflicts.get(t) + "\n"
                : "  - " + t + "\n").collect(Collectors.joining()));
        Path file = directory.resolve(nodeId + ".yaml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    /** Adds {@code apply.writers} to a config file this class wrote. */
    public static Path withApplyWriters(Path file, int writers) throws IOException {
        Files.writeString(file, "apply:\n  writers: " + writers + "\n", java.nio.file.StandardOpenOption.APPEND);
        return file;
    }
}
