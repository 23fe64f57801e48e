package io.syncline.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.VersionVector.Order;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionVectorTest {

    private static final VersionVector A1 = VersionVector.EMPTY.increment("dc-a");

    @Test
    void aWriteAfterSeeingAVersionHappenedAfterIt() {
        VersionVector seenThenWritten = A1.increment("dc-b");
        assertThat(seenThenWritten.compareTo(A1)).isEqualTo(Order.AFTER);
        assertThat(A1.compareTo(seenThenWritten)).isEqualTo(Order.BEFORE);
    }

    @Test
    void writesThatDidNotSeeEachOtherAreConcurrent() {
        VersionVector b = VersionVector.EMPTY.increment("dc-b");
        assertThat(A1.compareTo(b)).isEqualTo(Order.CONCURRENT);
        assertThat(A1.merge(b).compareTo(A1)).isEqualTo(Order.AFTER);
        assertThat(A1.merge(b).compareTo(b)).isEqualTo(Order.AFTER);
    }

    @Test
    void zeroCountersDoNotChangeEquality() {
        assertThat(VersionVector.of(Map.of("dc-a", 1L, "dc-b", 0L))).isEqualTo(A1);
        assertThat(A1.compareTo(VersionVector.of(Map.of("dc-a", 1L)))).isEqualTo(Order.EQUAL);
    }

    @Test
    void mergeIsCommutativeAssociativeAndIdempotent() {
        VersionVector b = VersionVector.of(Map.of("dc-b", 3L, "dc-a", 0L));
        VersionVector c = VersionVector.of(Map.of("dc-c", 2L, "dc-a", 5L));
        assertThat(A1.merge(b)).isEqualTo(b.merge(A1));
        assertThat(A1.merge(b).merge(c)).isEqualTo(A1.merge(b.merge(c)));
        assertThat(c.merge(c)).isEqualTo(c);
    }
}
