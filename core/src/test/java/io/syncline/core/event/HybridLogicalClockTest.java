package io.syncline.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    @Test
    void aWriteOnANodeWhoseClockIsBehindStillGetsTheGreaterValue() {
        long remote = HybridLogicalClock.of(1_000_000, 0);
        long local = HybridLogicalClock.next(1_000_000 - 5_000, remote);
        assertThat(local).isGreaterThan(remote);
        assertThat(HybridLogicalClock.physicalMillis(local)).isEqualTo(1_000_000);
        assertThat(HybridLogicalClock.logical(local)).isEqualTo(1);
    }

    @Test
    void aWriteOnAFastNodeUsesItsWallClock() {
        long previous = HybridLogicalClock.of(1_000, 7);
        assertThat(HybridLogicalClock.next(2_000, previous)).isEqualTo(HybridLogicalClock.of(2_000, 0));
    }

    @Test
    void rowClocksTieBreakOnNodeId() {
        RowClock a = new RowClock(10, "dc-a");
        RowClock b = new RowClock(10, "dc-b");
        assertThat(b.isAfter(a)).isTrue();
        assertThat(new RowClock(11, "dc-a").isAfter(b)).isTrue();
    }
}
