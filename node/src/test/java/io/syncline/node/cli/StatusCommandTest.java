package io.syncline.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatusCommandTest {

    @TempDir
    Path dir;

    @Test
    void checkIsUnknownWithoutMetricsListen() throws IOException {
        Run run = run(config(""), "--check");
        assertThat(run.status).isEqualTo(3);
        assertThat(run.out).startsWith("SYNCLINE UNKNOWN - dc-a: metrics.listen is not set");
    }

    @Test
    void checkIsUnknownWhenTheNodeDoesNotAnswer() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Run run = run(config("metrics:\n  listen: 127.0.0.1:" + port + "\n"), "--check");
        assertThat(run.status).isEqualTo(3);
        assertThat(run.out).startsWith("SYNCLINE UNKNOWN - dc-a: no status from http://127.0.0.1:" + port + "/status");
    }

    private record Run(int status, String out) {}

    private static Run run(Path config, String... options) {
        StringWriter out = new StringWriter();
        CommandLine cli = SynclineCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        String[] args = new String[options.length + 3];
        args[0] = "status";
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return new Run(cli.execute(args), out.toString());
    }

    private Path config(String extra) throws IOException {
        Path file = dir.resolve("dc-a.yaml");
        Files.writeString(file, """
                node:
                  id: dc-a
                database:
                  url: jdbc:postgresql://localhost:5432/app
                  user: syncline
                  password-env: SYNCLINE_DB_PASSWORD
                kafka:
                  bootstrap-servers: localhost:9092
                topology:
                  kind: all-to-all
                  nodes: [dc-a, dc-b]
                peers:
                  - id: dc-b
                    kafka:
                      bootstrap-servers: localhost:9093
                tables: [public.accounts]
                """ + extra);
        return file;
    }
}
