package io.syncline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.OnError;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicatedTablesTest {

    private static final TableName ACCOUNTS = new TableName("public", "accounts");
    private static final TableName ORDERS = new TableName("public", "orders");
    private static final TableConfig CONFIGURED = new TableConfig(ACCOUNTS, ConflictRule.of(ConflictPolicy.DELTA), List.of(),
            new ConfigLocation(Path.of("dc-a.yaml"), 12, 5), OnError.STOP);

    @Test
    void aConfiguredTableKeepsItsOwnSettings() {
        ReplicatedTables tables = new ReplicatedTables(List.of(CONFIGURED), ConflictRule.of(ConflictPolicy.LWW));

        assertThat(tables.contains(ACCOUNTS)).isTrue();
        assertThat(tables.config(ACCOUNTS)).isSameAs(CONFIGURED);
        assertThat(tables.settings(ACCOUNTS)).isSameAs(CONFIGURED);
        assertThat(tables.all()).containsExactly(CONFIGURED);
        assertThat(tables.notInConfig()).isEmpty();
    }

    @Test
    void aTableNotYetAddedDoesNotReplicateAndWouldJoinUnderTheDefaultRule() {
        ReplicatedTables tables = new ReplicatedTables(List.of(CONFIGURED), ConflictRule.of(ConflictPolicy.LWW));

        assertThat(tables.contains(ORDERS)).isFalse();
        assertThat(tables.config(ORDERS)).isNull();
        TableConfig joining = tables.settings(ORDERS);
        assertThat(joining.conflict().policy()).isEqualTo(ConflictPolicy.LWW);
        assertThat(joining.onError()).isEqualTo(OnError.PARK);
        assertThat(joining.columnRules()).isEmpty();
    }
}
