package io.syncline.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SnapshotCopyTest {

    @Test
    void noMoreWorkersRunThanThereAreTablesAndAtLeastOne() {
        assertThat(SnapshotCopy.workers(4, 3)).isEqualTo(3);
        assertThat(SnapshotCopy.workers(2, 3)).isEqualTo(2);
        assertThat(SnapshotCopy.workers(2, 0)).isEqualTo(1);
        assertThatThrownBy(() -> SnapshotCopy.workers(0, 3)).hasMessage("workers must be between 1 and 16, not 0");
        assertThatThrownBy(() -> SnapshotCopy.workers(17, 3)).hasMessage("workers must be between 1 and 16, not 17");
    }

    @Test
    void everyWorkerWritesUnderAnOriginOfItsOwnAndTheFirstUnderTheJoinsOrigin() {
        Set<String> origins = new HashSet<>();
        IntStream.range(0, SnapshotCopy.MAX_WORKERS).forEach(i -> origins.add(SnapshotCopy.origin(i)));

        assertThat(origins).hasSize(SnapshotCopy.MAX_WORKERS).allMatch(origin -> origin.startsWith("syncline_join"));
        assertThat(SnapshotCopy.origin(0)).isEqualTo(SnapshotCopy.ORIGIN);
        assertThat(SnapshotCopy.origin(1)).isEqualTo("syncline_join_2");
    }
}
