package io.syncline.schema.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.TableName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaDiffTest {

    static final TableName ACCOUNTS = new TableName("public", "accounts");

    static TableDefinition accounts(List<ColumnDefinition> columns, Map<String, String> indexes,
            Map<String, TableDefinition.Constraint> constraints) {
        return new TableDefinition(ACCOUNTS, columns, indexes, constraints);
    }

    static ColumnDefinition column(int position, String name, String type) {
        return new ColumnDefinition(position, name, type, false, null, false);
    }

    static final ColumnDefinition ID = new ColumnDefinition(1, "id", "bigint", true, null, false);
    static final ColumnDefinition EMAIL = column(2, "email", "character varying(20)");

    private static List<SchemaChange> diff(TableDefinition before, TableDefinition after) {
        return SchemaDiff.between(before == null ? Map.of() : Map.of(ACCOUNTS, before),
                after == null ? Map.of() : Map.of(ACCOUNTS, after));
    }

    @Test
    void identicalDefinitionsHaveNoChange() {
        TableDefinition table = accounts(List.of(ID, EMAIL), Map.of("accounts_pkey", "CREATE UNIQUE INDEX ..."), Map.of());
        assertThat(diff(table, table)).isEmpty();
    }

    @Test
    void aColumnKeepsItsPositionThroughARename() {
        TableDefinition before = accounts(List.of(ID, EMAIL), Map.of(), Map.of());
        TableDefinition after = accounts(List.of(ID, column(2, "mail", "character varying(20)")), Map.of(), Map.of());
        assertThat(diff(before, after)).containsExactly(new SchemaChange.ColumnRenamed(ACCOUNTS, "email", "mail"));
    }

    @Test
    void aColumnDroppedAndAddedUnderTheSameNameIsTwoChanges() {
        TableDefinition before = accounts(List.of(ID, EMAIL), Map.of(), Map.of());
        ColumnDefinition again = column(3, "email", "text");
        TableDefinition after = accounts(List.of(ID, again), Map.of(), Map.of());
        assertThat(diff(before, after)).containsExactly(new SchemaChange.ColumnDropped(ACCOUNTS, EMAIL),
                new SchemaChange.ColumnAdded(ACCOUNTS, again));
    }

    @Test
    void typeNullabilityAndDefaultChangesAreReportedApart() {
        TableDefinition before = accounts(List.of(ID, EMAIL), Map.of(), Map.of());
        ColumnDefinition changed = new ColumnDefinition(2, "email", "text", true, "''::text", false);
        TableDefinition after = accounts(List.of(ID, changed), Map.of(), Map.of());
        assertThat(diff(before, after)).containsExactly(
                new SchemaChange.ColumnTypeChanged(ACCOUNTS, "email", "character varying(20)", "text"),
                new SchemaChange.NotNullChanged(ACCOUNTS, "email", true),
                new SchemaChange.DefaultChanged(ACCOUNTS, "email", null, "''::text"));
    }

    @Test
    void aGeneratedColumnsExpressionIsPartOfItsType() {
        ColumnDefinition total = new ColumnDefinition(3, "total", "numeric", false, "(a + b)", true);
        ColumnDefinition otherTotal = new ColumnDefinition(3, "total", "numeric", false, "(a * b)", true);
        List<SchemaChange> changes = diff(accounts(List.of(ID, total), Map.of(), Map.of()),
                accounts(List.of(ID, otherTotal), Map.of(), Map.of()));
        assertThat(changes).hasSize(1).first().isInstanceOf(SchemaChange.ColumnTypeChanged.class);
    }

    @Test
    void anIndexWhoseDefinitionChangedIsDroppedAndCreated() {
        TableDefinition before = accounts(List.of(ID), Map.of("by_email", "CREATE INDEX by_email ON public.accounts (email)"),
                Map.of());
        TableDefinition after = accounts(List.of(ID),
                Map.of("by_email", "CREATE INDEX by_email ON public.accounts (lower(email))"), Map.of());
        assertThat(diff(before, after)).containsExactly(new SchemaChange.IndexDropped(ACCOUNTS, "by_email"),
                new SchemaChange.IndexCreated(ACCOUNTS, "by_email", "CREATE INDEX by_email ON public.accounts (lower(email))"));
    }

    @Test
    void constraintsAddedAndDroppedAreFound() {
        TableDefinition.Constraint positive = new TableDefinition.Constraint('c', "CHECK ((id > 0))");
        TableDefinition.Constraint key = new TableDefinition.Constraint('p', "PRIMARY KEY (id)");
        TableDefinition before = accounts(List.of(ID), Map.of(), Map.of("accounts_pkey", key));
        TableDefinition after = accounts(List.of(ID), Map.of(), Map.of("positive", positive));
        assertThat(diff(before, after)).containsExactly(new SchemaChange.ConstraintDropped(ACCOUNTS, "accounts_pkey", key),
                new SchemaChange.ConstraintAdded(ACCOUNTS, "positive", positive));
    }

    @Test
    void tablesThatAppearOrDisappearAreCreatedOrDropped() {
        TableDefinition table = accounts(List.of(ID), Map.of(), Map.of());
        assertThat(diff(null, table)).containsExactly(new SchemaChange.TableCreated(ACCOUNTS));
        assertThat(diff(table, null)).containsExactly(new SchemaChange.TableDropped(ACCOUNTS));
    }
}
