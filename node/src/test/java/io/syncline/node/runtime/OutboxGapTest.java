package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.connector.OutboxReader;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OutboxGapTest {

    private static final String TOPIC = "syncline.outbox.dc-a";

    @Test
    void linkThatNeverReadTheOutboxStartsAtItsBeginning() {
        assertThat(OutboxGap.check(TOPIC, OptionalLong.empty(), new OutboxReader.Bounds(500, 900))).isEmpty();
    }

    @Test
    void storedOffsetWithinTheOutboxResumes() {
        assertThat(OutboxGap.check(TOPIC, OptionalLong.of(500), new OutboxReader.Bounds(500, 900))).isEmpty();
        assertThat(OutboxGap.check(TOPIC, OptionalLong.of(900), new OutboxReader.Bounds(500, 900))).isEmpty();
    }

    @Test
    void storedOffsetBeforeTheBeginningIsAGapNamingTopicOffsetAndBeginning() {
        assertThat(OutboxGap.check(TOPIC, OptionalLong.of(120), new OutboxReader.Bounds(500, 900))).hasValueSatisfying(
                error -> assertThat(error).contains(TOPIC, "stored offset is 120", "begins at 500", "re-sync"));
    }

    @Test
    void storedOffsetBeyondTheEndMeansTheTopicWasCreatedAgain() {
        assertThat(OutboxGap.check(TOPIC, OptionalLong.of(120), new OutboxReader.Bounds(0, 4))).hasValueSatisfying(
                error -> assertThat(error).contains(TOPIC, "ends at offset 4", "stored offset 120", "created again"));
    }
}
