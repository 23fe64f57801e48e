package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApplyBookkeepingTest {

    @Test
    void aWalPositionIsWrittenAsPgLsnText() {
        assertThat(ApplyBookkeeping.lsn(0)).isEqualTo("0/0");
        assertThat(ApplyBookkeeping.lsn(0x16B3748L)).isEqualTo("0/16B3748");
        assertThat(ApplyBookkeeping.lsn(0x1_0000_00FFL)).isEqualTo("1/FF");
        assertThat(ApplyBookkeeping.lsn(-1L)).isEqualTo("FFFFFFFF/FFFFFFFF");
    }
}
