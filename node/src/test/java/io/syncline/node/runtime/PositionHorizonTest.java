package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PositionHorizonTest {

    private final Map<String, Long> applied = new HashMap<>();
    private int reads;
    private final PositionHorizon horizon = new PositionHorizon(origin -> {
        reads++;
        Long position = applied.get(origin);
        return position == null ? OptionalLong.empty() : OptionalLong.of(position);
    });

    @Test
    void aPositionFarPastTheAppliedOneIsImplausible() throws Exception {
        applied.put("dc-a", 5_000L);

        String jump = horizon.implausibleJump(tx("dc-a", 5_000L + PositionHorizon.MAX_JUMP + 1));

        assertThat(jump).contains("dc-a", "5000");
        assertThat(horizon.implausibleJump(tx("dc-a", 5_000L + PositionHorizon.MAX_JUMP))).isNull();
    }

    @Test
    void aRefusedPositionDoesNotMoveTheReference() throws Exception {
        applied.put("dc-a", 5_000L);

        assertThat(horizon.implausibleJump(tx("dc-a", Long.MAX_VALUE / 2))).isNotNull();

        assertThat(horizon.implausibleJump(tx("dc-a", 6_000L))).isNull();
        assertThat(horizon.implausibleJump(tx("dc-a", Long.MAX_VALUE / 2))).isNotNull();
    }

    @Test
    void acceptedPositionsMoveTheReferenceWithoutReadingTheDatabaseAgain() throws Exception {
        applied.put("dc-a", 0L);
        long step = PositionHorizon.MAX_JUMP;

        for (long position = step; position <= 5 * step; position += step) {
            assertThat(horizon.implausibleJump(tx("dc-a", position))).isNull();
        }

        assertThat(reads).isEqualTo(1);
    }

    @Test
    void theAppliedPositionIsReadAgainBeforeRefusing() throws Exception {
        applied.put("dc-a", 0L);
        assertThat(horizon.implausibleJump(tx("dc-a", 10))).isNull();
        // Another link applied far ahead meanwhile.
        applied.put("dc-a", 3 * PositionHorizon.MAX_JUMP);

        assertThat(horizon.implausibleJump(tx("dc-a", 3 * PositionHorizon.MAX_JUMP + 100))).isNull();
    }

    @Test
    void anyPositionIsPlausibleForAnOriginWithNothingApplied() throws Exception {
        assertThat(horizon.implausibleJump(tx("dc-c", 1L << 50))).isNull();
        assertThat(horizon.implausibleJump(tx("dc-c", (1L << 50) + 100))).isNull();
    }

    private static SourceTransaction tx(String origin, long position) {
        RowChange change = new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(),
                RowVersion.INITIAL);
        return new SourceTransaction(origin, position, 0, 1, List.of(origin), List.of(change));
    }
}
