package io.syncline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.schema.TableObjectNames;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableObjectRegistryTest {

    @Test
    void tablesWithTheSameFunctionNamesAreRefusedNamingBoth() {
        // Stems made equal by hand: the derived ones differ by a hash of the exact name.
        TableObjectNames first = new TableObjectNames("public", "a_b", "public_a_b_0000000000");
        TableObjectNames second = new TableObjectNames("public_a", "b", "public_a_b_0000000000");

        List<String> problems = TableObjectRegistry.collisions(List.of(first, second, TableObjectNames.of("public", "c")));

        assertThat(problems).hasSize(4).allSatisfy(p -> assertThat(p).contains("public.a_b").contains("public_a.b"));
        assertThat(problems.get(0)).contains("syncline.public_a_b_0000000000_stamp");
    }

    @Test
    void derivedNamesOfTablesThatLookAlikeDoNotCollide() {
        List<TableObjectNames> tables = List.of(TableObjectNames.of("public", "a_b"), TableObjectNames.of("public_a", "b"),
                TableObjectNames.of("it", "x".repeat(59)), TableObjectNames.of("it", "x".repeat(58) + "y"));

        assertThat(TableObjectRegistry.collisions(tables)).isEmpty();
    }

    @Test
    void aTableListedTwiceIsNoCollision() {
        TableObjectNames table = TableObjectNames.of("public", "a_b");

        assertThat(TableObjectRegistry.collisions(List.of(table, table))).isEmpty();
    }
}
