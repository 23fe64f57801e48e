package io.syncline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.schema.TableObjectNames;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TableTriggersTest {

    // SQL syntax that looks like a call but is resolved by the parser, not by a search_path lookup.
    private static final Set<String> SQL_CONSTRUCTS = Set.of("coalesce", "greatest", "extract", "values", "exists", "not",
            "and", "or", "in", "row", "table", "update", "conflict", "function", "trigger", "on", "pk", "returns", "operator");

    private static final TableKey KEY = new TableKey("public", "orders", List.of("region", "id"));
    private static final TableTriggers TRIGGERS = new TableTriggers(KEY, TableObjectNames.of("public", "orders"),
            List.of("OPERATOR(pg_catalog.=)", "OPERATOR(public.=)"), "dc-a");

    @Test
    void everyFunctionTheTriggersCallIsSchemaQualified() {
        String sql = withoutComments(TRIGGERS.sql(List.of("hits"), true));

        Set<String> unqualified = new TreeSet<>();
        Matcher call = Pattern.compile("(?<![.\\w\"])([A-Za-z_][A-Za-z0-9_]*)\\s*\\(").matcher(sql);
        while (call.find()) {
            if (!SQL_CONSTRUCTS.contains(call.group(1).toLowerCase(java.util.Locale.ROOT))) {
                unqualified.add(call.group(1));
            }
        }
        assertThat(unqualified).as("unqualified calls in\n%s", sql).isEmpty();
    }

    @Test
    void theFunctionsRunWithASearchPathNoWriterCanCreateObjectsIn() {
        String sql = withoutComments(TRIGGERS.sql(List.of(), false));

        assertThat(sql.split("SECURITY DEFINER", -1)).hasSize(5);
        assertThat(sql.split("SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS", -1)).hasSize(5);
        assertThat(sql).doesNotContain("public,");
    }

    @Test
    void keyColumnsAreComparedWithTheOperatorsOfTheirIndex() {
        String sql = TRIGGERS.sql(List.of(), false);

        assertThat(sql).contains("NOT (NEW.\"region\" OPERATOR(pg_catalog.=) OLD.\"region\" AND NEW.\"id\" OPERATOR(public.=) OLD.\"id\")")
                .contains("WHERE \"region\" OPERATOR(pg_catalog.=) NEW.\"region\" AND \"id\" OPERATOR(public.=) NEW.\"id\"");
    }

    @Test
    void everyTriggerCallsTheFunctionOfItsTable() {
        TableObjectNames names = TableObjectNames.of("public", "orders");
        String sql = TRIGGERS.sql(List.of(), false);

        for (TableObjectNames.Kind kind : TableObjectNames.Kind.values()) {
            assertThat(sql).contains("CREATE OR REPLACE FUNCTION " + names.qualifiedFunction(kind))
                    .contains("CREATE TRIGGER " + kind.triggerName()).contains("EXECUTE FUNCTION " + names.qualifiedFunction(kind));
        }
        assertThat(TRIGGERS.partitionTruncateGuard("\"public\".\"orders_eu\""))
                .contains("BEFORE TRUNCATE ON \"public\".\"orders_eu\" FOR EACH STATEMENT EXECUTE FUNCTION "
                        + names.qualifiedFunction(TableObjectNames.Kind.TRUNCATE));
    }

    private static String withoutComments(String sql) {
        return sql.replaceAll("--[^\n]*", "").replaceAll("'(?:[^']|'')*'", "''");
    }
}
