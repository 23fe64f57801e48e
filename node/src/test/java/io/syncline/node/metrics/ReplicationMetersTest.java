package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplicationMetersTest {

    @Test
    void lockWaitsAndTargetTransactionSizesAreExportedPerLink() {
        ReplicationMeters meters = new ReplicationMeters(Clock.systemUTC());

        meters.lockWaited("dc-a", Duration.ofMillis(20));
        meters.lockWaited("dc-a", Duration.ofMillis(30));
        meters.targetTransactionCommitted("dc-a", 3);
        meters.targetTransactionCommitted("dc-c", 4_000);

        String scrape = meters.registry().scrape();
        assertThat(scrape).contains("syncline_apply_lock_wait_seconds_count{upstream=\"dc-a\"} 2")
                .contains("syncline_apply_lock_wait_seconds_sum{upstream=\"dc-a\"} 0.05")
                .contains("syncline_apply_target_transaction_rows_count{upstream=\"dc-c\"} 1")
                .contains("syncline_apply_target_transaction_rows_sum{upstream=\"dc-a\"} 3")
                .contains("syncline_apply_target_transaction_rows_bucket{upstream=\"dc-c\",le=\"5000.0\"} 1");
    }
}
