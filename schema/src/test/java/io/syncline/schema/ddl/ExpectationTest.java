package io.syncline.schema.ddl;

import static io.syncline.schema.ddl.SchemaDiffTest.ACCOUNTS;
import static io.syncline.schema.ddl.SchemaDiffTest.ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.TableName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectationTest {

    private static final ColumnDefinition NOTE = new ColumnDefinition(3, "note", "text", true, "'none'::text", false);
    private static final String BY_NOTE = "CREATE INDEX by_note ON public.accounts USING btree (note)";

    @Test
    void anAddedColumnIsExpectedWithoutItsPositionWhichDiffersBetweenDatabases() {
        TableDefinition after = new TableDefinition(ACCOUNTS, List.of(ID, NOTE), Map.of(), Map.of());
        List<Expectation> expected = Expectation.of(List.of(new SchemaChange.ColumnAdded(ACCOUNTS, NOTE)), Map.of(ACCOUNTS, after));

        assertThat(expected).containsExactly(
                new Expectation("public", "accounts", Expectation.Kind.COLUMN, "note", "text NOT NULL DEFAULT 'none'::text"));
        ColumnDefinition elsewhere = new ColumnDefinition(7, "note", "text", true, "'none'::text", false);
        assertThat(Expectation.unmet(expected, Map.of(ACCOUNTS,
                new TableDefinition(ACCOUNTS, List.of(ID, elsewhere), Map.of(), Map.of())))).isEmpty();
    }

    @Test
    void whatDoesNotHoldIsSaidWithWhatWasFoundInstead() {
        List<Expectation> expected = List.of(
                new Expectation("public", "accounts", Expectation.Kind.COLUMN, "note", "text NOT NULL DEFAULT 'none'::text"),
                new Expectation("public", "accounts", Expectation.Kind.INDEX, "by_note", BY_NOTE));
        ColumnDefinition otherDefault = new ColumnDefinition(3, "note", "text", true, "''::text", false);

        assertThat(Expectation.unmet(expected, Map.of(ACCOUNTS,
                new TableDefinition(ACCOUNTS, List.of(ID, otherDefault), Map.of(), Map.of())))).containsExactly(
                "column note of public.accounts is text NOT NULL DEFAULT 'none'::text, found text NOT NULL DEFAULT ''::text",
                "index by_note of public.accounts is " + BY_NOTE + ", found no such index");
        assertThat(Expectation.unmet(expected, Map.of())).hasSize(2).allMatch(u -> u.endsWith("found no table public.accounts"));
    }

    @Test
    void anIndexDroppedAndCreatedAgainIsExpectedAsItIsNow() {
        TableDefinition after = new TableDefinition(ACCOUNTS, List.of(ID, NOTE), Map.of("by_note", BY_NOTE), Map.of());
        List<Expectation> expected = Expectation.of(List.of(new SchemaChange.IndexDropped(ACCOUNTS, "by_note"),
                new SchemaChange.IndexCreated(ACCOUNTS, "by_note", BY_NOTE)), Map.of(ACCOUNTS, after));

        assertThat(expected).containsExactly(new Expectation("public", "accounts", Expectation.Kind.INDEX, "by_note", BY_NOTE));
    }

    @Test
    void aCreatedTableIsExpectedWithItsColumnsAndKeyWhateverSynclineInstalledBeside() {
        TableName orders = new TableName("public", "orders");
        Map<String, TableDefinition.Constraint> key = Map.of("orders_pkey", new TableDefinition.Constraint('p', "PRIMARY KEY (id)"));
        TableDefinition created = new TableDefinition(orders, List.of(ID, NOTE), Map.of(), key);
        List<Expectation> expected = Expectation.of(List.of(new SchemaChange.TableCreated(orders)), Map.of(orders, created));

        assertThat(expected).containsExactly(new Expectation("public", "orders", Expectation.Kind.TABLE, "orders",
                "(id bigint NOT NULL, note text NOT NULL DEFAULT 'none'::text) PRIMARY KEY (id)"));
        assertThat(Expectation.createdTables(expected)).containsExactly(orders);
        assertThat(Expectation.unmet(expected, Map.of())).containsExactly("table public.orders is (id bigint NOT NULL, note text"
                + " NOT NULL DEFAULT 'none'::text) PRIMARY KEY (id), found no table public.orders");
        ColumnDefinition hlc = new ColumnDefinition(4, "syncline_hlc", "bigint", false, null, false);
        assertThat(Expectation.unmet(expected, Map.of(orders, new TableDefinition(orders, List.of(ID, NOTE, hlc), Map.of(), key))))
                .as("a DC where it joined replication already").isEmpty();
        ColumnDefinition plainNote = new ColumnDefinition(2, "note", "text", false, null, false);
        assertThat(Expectation.unmet(expected, Map.of(orders, new TableDefinition(orders, List.of(ID, plainNote), Map.of(), key))))
                .containsExactly("table public.orders is (id bigint NOT NULL, note text NOT NULL DEFAULT 'none'::text) PRIMARY KEY"
                        + " (id), found (id bigint NOT NULL, note text) PRIMARY KEY (id)");
    }
}
