package io.syncline.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.lab.demo.CausalAudit.Row;
import io.syncline.lab.demo.CausalWorkload.Write;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalAuditTest {

    // dc-a writes key 1; dc-c reads it and overwrites it (its clock behind: a smaller hlc).
    private final Write seenByC = new Write(1, "a-1", 5_000, "dc-a", Map.of("dc-a", 1L), false);
    private final Write afterSeeing = new Write(1, "c-1", 1_000, "dc-c", Map.of("dc-a", 1L, "dc-c", 1L), true);

    @Test
    void aWriteThatLostToTheVersionItHadSeenIsCounted() {
        CausalAudit.Result result = CausalAudit.audit(List.of(seenByC, afterSeeing), Map.of(1, new Row("a-1", 5_000, "dc-a")));

        assertThat(result.observedWrites()).isEqualTo(1);
        assertThat(result.lostWrites()).isEqualTo(1);
        assertThat(result.examples()).singleElement().asString().startsWith("key 1: c-1");
    }

    @Test
    void aSurvivingWriteIsNotCounted() {
        CausalAudit.Result result = CausalAudit.audit(List.of(seenByC, afterSeeing), Map.of(1, new Row("c-1", 1_000, "dc-c")));

        assertThat(result.lostWrites()).isZero();
    }

    @Test
    void losingToAConcurrentOrALaterVersionIsNotCounted() {
        Write concurrent = new Write(1, "b-1", 9_000, "dc-b", Map.of("dc-b", 1L), false);
        Write later = new Write(1, "a-2", 9_500, "dc-a", Map.of("dc-a", 2L, "dc-c", 1L), true);

        assertThat(CausalAudit.audit(List.of(seenByC, afterSeeing, concurrent), Map.of(1, new Row("b-1", 9_000, "dc-b")))
                .lostWrites()).isZero();
        assertThat(CausalAudit.audit(List.of(seenByC, afterSeeing, later), Map.of(1, new Row("a-2", 9_500, "dc-a")))
                .lostWrites()).isZero();
    }

    @Test
    void aSurvivorNoRecordedWriteMadeCountsTheObservedWritesOfItsKeyAsLost() {
        assertThat(CausalAudit.audit(List.of(seenByC, afterSeeing), Map.of(1, new Row("??", 1, "dc-x"))).lostWrites()).isEqualTo(1);
    }
}
