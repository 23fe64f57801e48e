package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidatorTest {

    private static final String TABLES = """
              - public.customers
              - name: public.accounts
                conflict:
                  columns:
                    balance: delta
                    ballance: max""";

    @TempDir
    Path dir;

    /** A catalog held in memory: table name to column names. */
    private static TableCatalog catalog(Map<String, Set<String>> tables) {
        return table -> Optional.ofNullable(tables.get(table));
    }

    private NodeConfig config() {
        return load(dir, ringWith("  - public.accounts", TABLES.indent(2).stripTrailing()));
    }

    @Test
    void configMatchingTheCatalogHasNoProblems() {
        TableCatalog db = catalog(Map.of(
                "public.customers", Set.of("id", "name"),
                "public.accounts", Set.of("id", "balance", "ballance")));

        assertThat(ConfigValidator.checkAgainstCatalog(config(), db)).isEmpty();
    }

    @Test
    void unknownTableIsReportedAtItsName() {
        TableCatalog db = catalog(Map.of("public.accounts", Set.of("id", "balance", "ballance")));

        List<ConfigProblem> found = ConfigValidator.checkAgainstCatalog(config(), db);

        assertThat(found).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(20);
            assertThat(p.column()).isEqualTo(5);
            assertThat(p.fieldPath()).isEqualTo("tables[0].name");
            assertThat(p.message()).isEqualTo(
                    "table public.customers does not exist in the database; expected an existing table");
        });
    }

    @Test
    void unknownColumnInAColumnPolicyIsReportedAtItsName() {
        TableCatalog db = catalog(Map.of(
                "public.customers", Set.of("id"),
                "public.accounts", Set.of("id", "balance")));

        List<ConfigProblem> found = ConfigValidator.checkAgainstCatalog(config(), db);

        assertThat(found).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(25);
            assertThat(p.column()).isEqualTo(9);
            assertThat(p.fieldPath()).isEqualTo("tables[1].conflict.columns.ballance");
            assertThat(p.message()).isEqualTo("table public.accounts has no column 'ballance'; expected one of balance, id");
            assertThat(p.format()).isEqualTo(dir.resolve("node.yaml") + ":25:9: tables[1].conflict.columns.ballance: "
                    + "table public.accounts has no column 'ballance'; expected one of balance, id");
        });
    }
}
