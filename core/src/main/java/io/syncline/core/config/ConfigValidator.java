package io.syncline.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks of a loaded {@link NodeConfig} that need more than the file, such as the live
 * database. Everything that can be checked from the file alone is checked by
 * {@link NodeConfigLoader}.
 */
public final class ConfigValidator {

    private ConfigValidator() {}

    /**
     * Finds tables in {@code config.tables()} that {@code catalog} does not have, and
     * per-column conflict rules naming columns the table does not have. Problems point at
     * the table or column name in the config file.
     *
     * @return the problems, in file order; empty when the config matches the catalog
     */
    public static List<ConfigProblem> checkAgainstCatalog(NodeConfig config, TableCatalog catalog) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < config.tables().size(); i++) {
            TableConfig table = config.tables().get(i);
            String path = "tables[" + i + "]";
            Optional<Set<String>> columns = catalog.columnsOf(table.name().qualified());
            if (columns.isEmpty()) {
                problems.add(ConfigProblem.at(table.location(), path + ".name",
                        "table " + table.name() + " does not exist in the database; expected an existing table"));
                continue;
            }
            for (ColumnRule rule : table.columnRules()) {
                if (!columns.get().contains(rule.column())) {
                    problems.add(ConfigProblem.at(rule.location(), path + ".conflict.columns." + rule.column(),
                            "table " + table.name() + " has no column '" + rule.column()
                                    + "'; expected one of " + String.join(", ", new TreeSet<>(columns.get()))));
                }
            }
        }
        return List.copyOf(problems);
    }
}
