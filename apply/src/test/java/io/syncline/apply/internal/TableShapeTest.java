package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.schema.TableKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TableShapeTest {

    private static final int COLUMNS = 8;
    private static final int WRITERS = 4;
    private static final int ROUNDS = 200;

    /**
     * The writers of a link share one shape per table ({@link TableCatalog}) and ask it for their
     * statements at the same moments, above all right after a start, when no statement is cached yet.
     */
    @Test
    void writersAskingForTheSameStatementsAtOnceEachGetTheirs() throws Exception {
        List<List<String>> columnSets = columnSets();
        TableShape alone = shape();
        List<String> expected = new ArrayList<>();
        for (List<String> names : columnSets) {
            expected.add(statements(alone, names));
        }
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                TableShape shared = shape();
                CyclicBarrier start = new CyclicBarrier(WRITERS);
                List<Future<List<String>>> asked = new ArrayList<>();
                for (int writer = 0; writer < WRITERS; writer++) {
                    asked.add(writers.submit(() -> {
                        start.await();
                        List<String> got = new ArrayList<>();
                        for (List<String> names : columnSets) {
                            got.add(statements(shared, names));
                        }
                        return got;
                    }));
                }
                for (Future<List<String>> writer : asked) {
                    assertThat(writer.get(30, TimeUnit.SECONDS)).as("round %d", round).isEqualTo(expected);
                }
            }
        } finally {
            writers.shutdownNow();
        }
    }

    private static String statements(TableShape shape, List<String> names) {
        RowSql sql = shape.sql();
        return String.join("\n", sql.insertSql(names), sql.updateSql(names), sql.insertRowsSql(names),
                sql.updateRowsSql(names));
    }

    /** Every non-empty subset of the non-key columns, as an applier meets rows that carry some of them. */
    private static List<List<String>> columnSets() {
        List<List<String>> sets = new ArrayList<>();
        for (int mask = 1; mask < 1 << COLUMNS; mask++) {
            List<String> names = new ArrayList<>();
            for (int column = 0; column < COLUMNS; column++) {
                if ((mask & 1 << column) != 0) {
                    names.add("c" + column);
                }
            }
            sets.add(List.copyOf(names));
        }
        return sets;
    }

    private static TableShape shape() {
        List<TableShape.Column> columns = new ArrayList<>();
        columns.add(new TableShape.Column("id", "bigint", false, false));
        for (int column = 0; column < COLUMNS; column++) {
            columns.add(new TableShape.Column("c" + column, "text", false, false));
        }
        return TableShape.of(new TableKey("it", "items", List.of("id")), columns, false);
    }
}
