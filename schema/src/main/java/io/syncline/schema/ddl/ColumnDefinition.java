package io.syncline.schema.ddl;

import java.util.Objects;

/**
 * One column of a table as the catalog describes it.
 *
 * @param position          {@code pg_attribute.attnum}: stays with the column through a rename, so that a
 *                          rename is told apart from a drop and an add
 * @param name              the column's name
 * @param type              its type as {@code format_type} spells it, e.g. {@code character varying(20)}
 * @param notNull           whether it has a NOT NULL constraint
 * @param defaultExpression its default as {@code pg_get_expr} prints it, or {@code null} without one
 * @param generated         whether it is a generated column (computed by each database, never replicated)
 */
public record ColumnDefinition(int position, String name, String type, boolean notNull, String defaultExpression,
        boolean generated) {

    public ColumnDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
