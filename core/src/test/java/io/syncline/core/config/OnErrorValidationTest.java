package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnErrorValidationTest {

    @TempDir
    Path dir;

    private static String withTables(String tables) {
        return ringWith("  - public.accounts", tables.indent(2).stripTrailing());
    }

    @Test
    void tablesParkRefusedTransactionsUnlessTheySayStop() {
        NodeConfig config = load(dir, withTables("""
                - accounts
                - name: orders
                  on-error: stop
                - name: notes
                  on-error: park"""));

        assertThat(config.tables()).extracting(TableConfig::onError)
                .containsExactly(OnError.PARK, OnError.STOP, OnError.PARK);
    }

    @Test
    void unknownOnErrorIsRejectedWithTheChoices() {
        ConfigProblem p = onlyProblem(dir, withTables("""
                - name: orders
                  on-error: skip"""));

        assertThat(p.fieldPath()).isEqualTo("tables[0].on-error");
        assertThat(p.message()).isEqualTo("unknown on-error 'skip'; expected one of park, stop");
    }
}
