package io.syncline.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.VersionVector;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataJsonTest {

    @Test
    void vectorReadsJsonbTextAndWritesItBackCompact() {
        VersionVector vector = MetadataJson.vector("{\"dc-a\": 3, \"dc-b\": 1, \"dc-\\\"c\": 9223372036854775807}");

        assertThat(vector).isEqualTo(VersionVector.of(Map.of("dc-a", 3L, "dc-b", 1L, "dc-\"c", Long.MAX_VALUE)));
        assertThat(MetadataJson.vector(vector)).isEqualTo("{\"dc-\\\"c\":9223372036854775807,\"dc-a\":3,\"dc-b\":1}");
        assertThat(MetadataJson.vector(MetadataJson.vector(vector))).isEqualTo(vector);
        assertThat(MetadataJson.vector("{}")).isEqualTo(VersionVector.EMPTY);
        assertThat(MetadataJson.vector(VersionVector.EMPTY)).isEqualTo("{}");
    }

    @Test
    void vectorRejectsWhatIsNotAnObjectOfWholeCounters() {
        for (String bad : new String[] {"[1]", "{\"dc-a\": 1.5}", "{\"dc-a\": \"1\"}", "{\"dc-a\": 99999999999999999999}",
                "{\"dc-a\": -1}", "{\"dc-a\": 1} {}", "{\"dc-a\": 1", "not json"}) {
            assertThatThrownBy(() -> MetadataJson.vector(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void emptyMetadataIsWrittenAndReadAsEmptyObjects() {
        assertThat(MetadataJson.counters(RowMetadata.EMPTY)).isEqualTo("{}");
        assertThat(MetadataJson.dots(RowMetadata.EMPTY)).isEqualTo("{}");
        assertThat(MetadataJson.parse("{}", "{}")).isEqualTo(RowMetadata.EMPTY);

        RowMetadata metadata = new RowMetadata(Map.of("n", Map.of("dc-a", new BigDecimal("2.50"))),
                Map.of("c", new ColumnDot("dc-a", 4, 77)));
        assertThat(MetadataJson.parse(MetadataJson.counters(metadata), MetadataJson.dots(metadata))).isEqualTo(metadata);
    }
}
