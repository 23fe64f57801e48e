package io.syncline.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.schema.TableObjectNames.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableObjectNamesTest {

    @Test
    void tablesWhoseReadableStemsAgreeGetDifferentFunctions() {
        TableObjectNames first = TableObjectNames.of("public", "a_b");
        TableObjectNames second = TableObjectNames.of("public_a", "b");

        for (Kind kind : Kind.values()) {
            assertThat(first.function(kind)).isNotEqualTo(second.function(kind));
        }
        assertThat(first.function(Kind.STAMP)).startsWith("public_a_b_").endsWith("_stamp");
    }

    @Test
    void tablesThatDifferOnlyInCaseOrQuotingGetDifferentFunctions() {
        Set<String> stamps = new HashSet<>();
        for (TableObjectNames names : List.of(TableObjectNames.of("public", "Orders"), TableObjectNames.of("public", "orders"),
                TableObjectNames.of("public", "or-ders"), TableObjectNames.of("public", "or_ders"),
                TableObjectNames.of("a.b", "c"), TableObjectNames.of("a", "b.c"), TableObjectNames.of("a\"", "b"),
                TableObjectNames.of("a", "\"b"))) {
            assertThat(stamps.add(names.function(Kind.STAMP))).as("%s", names).isTrue();
        }
    }

    @Test
    void everyNameFitsInAnIdentifierWhateverTheTableLength() {
        for (int length = 1; length <= 63; length++) {
            String table = "t".repeat(length);
            for (String schema : List.of("s", "x".repeat(63), "é".repeat(31))) {
                TableObjectNames names = TableObjectNames.of(schema, table);
                for (Kind kind : Kind.values()) {
                    assertThat(names.function(kind).getBytes(StandardCharsets.UTF_8).length)
                            .as("%s.%s %s", schema, table, kind).isLessThanOrEqualTo(TableObjectNames.MAX_IDENTIFIER_BYTES);
                    assertThat(kind.triggerName().length()).isLessThanOrEqualTo(TableObjectNames.MAX_IDENTIFIER_BYTES);
                }
            }
        }
    }

    @Test
    void theFunctionsOfALongNameStayDistinctAndTablesSharingItsFirstCharactersDoNotShareThem() {
        // 62 characters qualified: the old names, stem + suffix, were cut to 63 bytes and became one.
        String table = "orders_with_a_rather_long_name_that_goes_on_and_on_and_on";
        assertThat(("it." + table + "_1").length()).isEqualTo(62);
        List<String> functions = new ArrayList<>();
        for (String t : List.of(table + "_1", table + "_2")) {
            TableObjectNames names = TableObjectNames.of("it", t);
            for (Kind kind : Kind.values()) {
                functions.add(names.function(kind));
            }
        }
        assertThat(new HashSet<>(functions)).hasSize(2 * Kind.values().length);
    }

    @Test
    void namesAreDeterministicAndReadable() {
        TableObjectNames once = TableObjectNames.of("Sales", "Order Lines");
        TableObjectNames again = TableObjectNames.of("Sales", "Order Lines");

        assertThat(again).isEqualTo(once);
        assertThat(once.function(Kind.TOMBSTONE)).matches("sales_order_lines_[0-9a-f]{10}_tombstone");
        assertThat(once.qualifiedFunction(Kind.STAMP)).isEqualTo("syncline.\"" + once.function(Kind.STAMP) + "\"()");
        assertThat(Kind.TRUNCATE.triggerName()).isEqualTo("syncline_truncate");
    }
}
