package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.cli.ValidateConfigCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code syncline validate-config --database}: a config that loads but that {@code init} would
 * refuse (a table that does not exist, a table without a primary key, a conflict rule on a
 * missing column) is INVALID against its live database, each problem said; a matching one is OK.
 */
class ValidateConfigDatabaseIT {

    @TempDir
    Path dir;

    @Test
    void configIsCheckedAgainstItsLiveDatabaseAsInitWould() throws Exception {
        try (Environment environment = TestEnvironments.create()) {
            PostgresServer server = environment.startPostgres("validate");
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE public.accounts (id bigint PRIMARY KEY, balance numeric)");
                statement.execute("CREATE TABLE public.events (id bigint, body text)");
            }
            Files.writeString(dir.resolve("password"), server.password());

            Path good = config("good.yaml", server, "  - public.accounts\n");
            Run ok = validate(good);
            assertThat(ok.status()).as(ok.output()).isZero();
            assertThat(ok.output()).contains("OK " + good, "checked against its database");

            Path bad = config("bad.yaml", server, """
                      - public.events
                      - public.missing
                      - name: public.accounts
                        conflict:
                          columns:
                            total: {policy: delta}
                    """);
            Run invalid = validate(bad);
            assertThat(invalid.status()).as(invalid.output()).isEqualTo(1);
            assertThat(invalid.output()).contains("INVALID " + bad + " against its database (3 problems)",
                    "table public.events has no primary key", "table public.missing does not exist",
                    "table public.accounts has no column 'total'");
        }
    }

    private Path config(String name, PostgresServer server, String tables) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, """
                node:
                  id: dc-a
                database:
                  url: %s
                  user: %s
                  password-file: password
                kafka:
                  bootstrap-servers: localhost:9092
                topology:
                  kind: all-to-all
                  nodes: [dc-a, dc-b]
                peers:
                  - id: dc-b
                    kafka:
                      bootstrap-servers: localhost:9093
                tables:
                %s""".formatted(server.jdbcUrl(), server.user(), tables));
        return file;
    }

    private record Run(int status, String output) {}

    private static Run validate(Path file) {
        StringWriter output = new StringWriter();
        PrintWriter writer = new PrintWriter(output, true);
        int status = new CommandLine(new ValidateConfigCommand()).setOut(writer).setErr(writer)
                .execute("--database", file.toString());
        writer.flush();
        System.out.println(output);
        return new Run(status, output.toString());
    }
}
