package io.syncline.core.config;

import java.util.Optional;
import java.util.Set;

/**
 * What a database says about its tables; lets {@link ConfigValidator#checkAgainstCatalog}
 * find table and column names that exist only in the config.
 */
public interface TableCatalog {

    /**
     * The column names of {@code table} as stored in the catalog.
     *
     * @param table schema-qualified, e.g. {@code public.accounts}
     * @return the columns, or empty if there is no such table
     */
    Optional<Set<String>> columnsOf(String table);
}
