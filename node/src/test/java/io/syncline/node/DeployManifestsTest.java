package io.syncline.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files under {@code deploy/} hold together: every node config they carry loads
 * as {@code syncline run} loads it, and each Kubernetes StatefulSet mounts its datacenter's
 * config, takes its password from the Secret, and probes the health endpoints on the port the
 * config's {@code metrics.listen} opens.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");

    @TempDir
    Path dir;

    @Test
    void everyKubernetesDatacenterRunsItsOwnConfigWithProbesOnItsMetricsPort() throws IOException {
        Map<String, Object> secret = only(documents(DEPLOY.resolve("kubernetes/secret.yaml")), "Secret");
        List<Path> datacenters = files(DEPLOY.resolve("kubernetes"), "dc-");
        assertThat(datacenters).hasSize(3);
        for (Path file : datacenters) {
            String dc = file.getFileName().toString().replace(".yaml", "");
            List<Map<String, Object>> documents = documents(file);
            assertThat(documents).extracting(d -> d.get("kind")).containsExactlyInAnyOrder("ConfigMap", "Service", "StatefulSet");

            Map<String, Object> configMap = only(documents, "ConfigMap");
            String nodeYaml = (String) map(configMap, "data").get("node.yaml");
            NodeConfig config = load(dc, nodeYaml);
            assertThat(config.nodeId()).as("node id in %s", file).isEqualTo(dc);
            int metricsPort = Integer.parseInt(((String) map(new Yaml().load(nodeYaml), "metrics").get("listen")).replaceAll(".*:", ""));

            Map<String, Object> pod = map(map(only(documents, "StatefulSet"), "spec"), "template", "spec");
            Map<String, Object> node = list(pod, "containers").get(0);
            assertThat(list(node, "ports")).as("%s: the metrics port", file)
                    .anySatisfy(p -> assertThat(p).containsEntry("name", "metrics").containsEntry("containerPort", metricsPort));
            assertThat(map(node, "livenessProbe", "httpGet")).containsEntry("path", "/livez").containsEntry("port", "metrics");
            assertThat(map(node, "readinessProbe", "httpGet")).containsEntry("path", "/readyz").containsEntry("port", "metrics");
            assertThat(String.join(" ", strings(node, "args"))).contains("run --config /etc/syncline/node.yaml");

            Map<String, Object> password = map(list(node, "env").stream()
                    .filter(e -> "SYNCLINE_DB_PASSWORD".equals(e.get("name"))).findFirst().orElseThrow(), "valueFrom", "secretKeyRef");
            assertThat(password.get("name")).isEqualTo(map(secret, "metadata").get("name"));
            assertThat(map(secret, "stringData")).containsKey((String) password.get("key"));

            Map<String, Object> configVolume = list(pod, "volumes").stream().filter(v -> "config".equals(v.get("name")))
                    .findFirst().orElseThrow();
            assertThat(map(configVolume, "configMap").get("name")).isEqualTo(map(configMap, "metadata").get("name"));
            assertThat(list(node, "volumeMounts")).anySatisfy(m -> assertThat(m).containsEntry("name", "config")
                    .containsEntry("mountPath", "/etc/syncline"));
        }
    }

    @Test
    void everyComposeNodeConfigLoads() throws IOException {
        List<Path> configs = files(DEPLOY.resolve("compose/config"), "dc-");
        assertThat(configs).hasSize(3);
        for (Path config : configs) {
            assertThat(NodeConfigLoader.load(config).warnings()).as("warnings of %s", config).isEmpty();
        }
    }

    private NodeConfig load(String dc, String yaml) throws IOException {
        Path file = dir.resolve(dc + ".yaml");
        Files.writeString(file, yaml);
        return NodeConfigLoader.load(file);
    }

    private static List<Path> files(Path directory, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Yaml().loadAll(Files.readString(file)).forEach(d -> documents.add((Map<String, Object>) d));
        return documents;
    }

    private static Map<String, Object> only(List<Map<String, Object>> documents, String kind) {
        List<Map<String, Object>> ofKind = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(ofKind).as("documents of kind %s", kind).hasSize(1);
        return ofKind.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object parent, String... path) {
        Object current = parent;
        for (String key : path) {
            assertThat(current).as("parent of %s", key).isInstanceOf(Map.class);
            current = ((Map<String, Object>) current).get(key);
        }
        assertThat(current).as(String.join(".", path)).isInstanceOf(Map.class);
        return (Map<String, Object>) current;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
        return (List<Map<String, Object>>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> parent, String key) {
        assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
        return (List<String>) parent.get(key);
    }
}
