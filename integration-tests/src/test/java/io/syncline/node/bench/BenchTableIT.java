package io.syncline.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

/** How the benchmark decides that a backlog has arrived: by its last row, checked by a count. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchTableIT {

    private Environment environment;
    private PGSimpleDataSource database;

    @BeforeAll
    void startServer() throws Exception {
        environment = TestEnvironments.create();
        PostgresServer server = environment.startPostgres("dc-a");
        database = new PGSimpleDataSource();
        database.setUrl(server.jdbcUrl());
        database.setUser(server.user());
        database.setPassword(server.password());
        BenchTable.create(database);
    }

    @AfterAll
    void stopServer() throws Exception {
        environment.close();
    }

    @BeforeEach
    void tenRowsNotArrived() throws Exception {
        exec("TRUNCATE bench.items");
        BenchTable.preload(database, 10);
    }

    @Test
    void aBacklogHasArrivedWhenItsLastRowAndEveryOtherHave() throws Exception {
        BenchTable.updateBacklog(database, 10, 3);

        assertThat(BenchTable.awaitArrived(database, 10, 1_000)).isPositive();
    }

    @Test
    void aLastRowThatArrivesBeforeOthersIsReportedNotTakenForTheWholeBacklog() throws Exception {
        exec("UPDATE bench.items SET v = 1 WHERE id <> 4");

        assertThatThrownBy(() -> BenchTable.awaitArrived(database, 10, 1_000))
                .hasMessageContaining("1 of the rows before it had not");
    }

    @Test
    void aBacklogWhoseLastRowNeverArrivesTimesOutWithTheCount() throws Exception {
        exec("UPDATE bench.items SET v = 1 WHERE id < 8");

        assertThatThrownBy(() -> BenchTable.awaitArrived(database, 10, 200)).hasMessageContaining("only 7 of 10 rows arrived");
    }

    private void exec(String sql) throws Exception {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
