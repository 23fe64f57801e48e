package io.syncline.schema.ddl;

import static io.syncline.schema.ddl.SchemaDiffTest.ACCOUNTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.TableName;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DdlRulesTest {

    private static final Set<TableName> REPLICATED = Set.of(ACCOUNTS);

    private static String refusal(SchemaChange change) {
        return DdlRules.refusal(change, REPLICATED, DdlRules.History.NONE);
    }

    private static SchemaChange added(String type, boolean notNull, String defaultExpression) {
        return new SchemaChange.ColumnAdded(ACCOUNTS, new ColumnDefinition(5, "note", type, notNull, defaultExpression, false));
    }

    @ParameterizedTest(name = "DEFAULT {0}")
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {"0", "'-1'::integer", "'n/a'::text", "'it''s'::character varying", "true",
        "NULL::text", "'{}'::jsonb", "0.5", "'{1,2}'::integer[]", "(0)::numeric"})
    void aColumnWithAConstantDefaultMayBeAdded(String defaultExpression) {
        assertThat(refusal(added("text", true, defaultExpression))).isNull();
    }

    @Test
    void aNullableColumnWithoutDefaultMayBeAdded() {
        assertThat(refusal(added("text", false, null))).isNull();
    }

    @ParameterizedTest(name = "DEFAULT {0}")
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {"now()", "nextval('accounts_note_seq'::regclass)", "random()", "gen_random_uuid()",
        "CURRENT_TIMESTAMP"})
    void aDefaultThatDiffersBetweenDatabasesIsRefused(String defaultExpression) {
        assertThat(refusal(added("text", false, defaultExpression))).contains("another value at each DC");
    }

    @Test
    void aNotNullColumnWithoutDefaultIsRefused() {
        assertThat(refusal(added("text", true, null))).contains("give it a constant default");
    }

    @Test
    void renamesAreRefusedWithTheSequenceToUseInstead() {
        assertThat(refusal(new SchemaChange.ColumnRenamed(ACCOUNTS, "email", "mail")))
                .contains("add the new column, backfill it, switch the application to it, then drop the old one");
    }

    @Test
    void wideningIsAcceptedAndNarrowingRefused() {
        assertThat(refusal(new SchemaChange.ColumnTypeChanged(ACCOUNTS, "n", "integer", "bigint"))).isNull();
        assertThat(refusal(new SchemaChange.ColumnTypeChanged(ACCOUNTS, "n", "bigint", "integer")))
                .startsWith("bigint to integer is not a widening");
    }

    @Test
    void plainIndexesComeAndGoButAUniqueIndexIsRefused() {
        assertThat(refusal(new SchemaChange.IndexCreated(ACCOUNTS, "i", "CREATE INDEX i ON public.accounts USING btree (n)")))
                .isNull();
        assertThat(refusal(new SchemaChange.IndexDropped(ACCOUNTS, "i"))).isNull();
        assertThat(refusal(new SchemaChange.IndexCreated(ACCOUNTS, "u", "CREATE UNIQUE INDEX u ON public.accounts (n)")))
                .contains("unique index");
    }

    @Test
    void constraintsMayBeDroppedButNotAddedAndThePrimaryKeyStays() {
        TableDefinition.Constraint check = new TableDefinition.Constraint('c', "CHECK ((n > 0))");
        TableDefinition.Constraint key = new TableDefinition.Constraint('p', "PRIMARY KEY (id)");
        assertThat(refusal(new SchemaChange.ConstraintDropped(ACCOUNTS, "positive", check))).isNull();
        assertThat(refusal(new SchemaChange.ConstraintAdded(ACCOUNTS, "positive", check))).contains("add it by hand");
        assertThat(refusal(new SchemaChange.ConstraintDropped(ACCOUNTS, "accounts_pkey", key))).contains("primary key");
    }

    @Test
    void makingAColumnNullableIsAcceptedAndNotNullRefused() {
        assertThat(refusal(new SchemaChange.NotNullChanged(ACCOUNTS, "n", false))).isNull();
        assertThat(refusal(new SchemaChange.NotNullChanged(ACCOUNTS, "n", true))).contains("NOT NULL");
    }

    @Test
    void aReplicatedColumnMayBeDroppedUnlessTheConfigGivesItARule() {
        ColumnDefinition note = new ColumnDefinition(5, "note", "text", false, null, false);
        assertThat(refusal(new SchemaChange.ColumnDropped(ACCOUNTS, note))).isNull();

        assertThat(DdlRules.refusal(new SchemaChange.ColumnDropped(ACCOUNTS, note), REPLICATED, history(Set.of(), Set.of("note"))))
                .contains("conflict rule of its own", "remove the rule from every node's config");
    }

    @Test
    void aDroppedColumnsNameIsNotAddedAgain() {
        assertThat(DdlRules.refusal(added("text", false, null), REPLICATED, history(Set.of("note"), Set.of())))
                .contains("was dropped through syncline ddl", "another name");
        assertThat(DdlRules.refusal(added("text", false, null), REPLICATED, history(Set.of("memo"), Set.of()))).isNull();
    }

    private static DdlRules.History history(Set<String> dropped, Set<String> withRules) {
        return new DdlRules.History() {
            @Override
            public Set<String> droppedColumns(TableName table) {
                return dropped;
            }

            @Override
            public Set<String> columnsWithRules(TableName table) {
                return withRules;
            }
        };
    }

    @Test
    void syncLinesOwnColumnsAreNotTouched() {
        ColumnDefinition hlc = new ColumnDefinition(9, "syncline_hlc", "bigint", false, null, false);
        assertThat(refusal(new SchemaChange.ColumnDropped(ACCOUNTS, hlc))).contains("Syncline's own column");
    }

    @Test
    void tablesOutsideReplicationAreLeftToTheOperator() {
        TableName other = new TableName("public", "audit");
        assertThat(refusal(new SchemaChange.IndexDropped(other, "i"))).contains("public.audit is not replicated");
        assertThat(refusal(new SchemaChange.TableDropped(ACCOUNTS))).contains("remove it from tables:");
    }

    @Test
    void aCreatedTableJoinsReplicationWhileDroppingOneIsRefused() {
        assertThat(refusal(new SchemaChange.TableCreated(new TableName("public", "orders")))).isNull();
        assertThat(refusal(new SchemaChange.TableDropped(new TableName("public", "audit")))).contains("not replicated");
        assertThat(refusal(new SchemaChange.TableDropped(ACCOUNTS))).contains("remove it from tables:");
    }
}
