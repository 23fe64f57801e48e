package io.syncline.apply.internal;

import java.sql.SQLException;

/**
 * A change that this node's table cannot take without losing data: a column it does not have
 * (SQLSTATE {@code 42703}, undefined_column) or has with a type that would change or lose values
 * ({@code 42804}, datatype_mismatch). Thrown before anything of the change is written.
 */
public final class LocalSchemaMismatch extends SQLException {

    private final String table;
    private final String column;
    private final String sourceType;
    private final String localType;

    /**
     * @param sourceType the column's type at the origin, or {@code null} when the event does not say
     * @param localType  the column's type here, or {@code null} when the column is missing here
     */
    LocalSchemaMismatch(String table, String column, String sourceType, String localType, String message) {
        super(message, localType == null ? "42703" : "42804");
        this.table = table;
        this.column = column;
        this.sourceType = sourceType;
        this.localType = localType;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }

    public String sourceType() {
        return sourceType;
    }

    public String localType() {
        return localType;
    }
}
