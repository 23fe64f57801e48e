package io.syncline.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListingTest {

    @Test
    void tablePrintsAHeaderThenOneLinePerEntryWithADashForNull() {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1L);
        first.put("error", null);
        Map<String, Object> second = Map.of("id", 2L, "error", "boom");
        StringWriter text = new StringWriter();

        Listing.printTable(new PrintWriter(text, true), "%-4s %s%n", List.of("ID", "ERROR"), List.of("id", "error"),
                List.of(first, second));

        assertThat(text.toString()).isEqualTo("ID   ERROR%n1    -%n2    boom%n".formatted());
    }

    @Test
    void jsonColumnsPrintAsJsonNotAsQuotedStrings() {
        StringWriter text = new StringWriter();

        Listing.printJson(new PrintWriter(text, true), Map.of("key", Listing.tree("{\"id\": \"7\"}")));

        assertThat(text.toString()).contains("\"id\" : \"7\"").doesNotContain("\\\"");
        assertThat(Listing.tree(null)).isNull();
    }

    @Test
    void aJsonValueThatDoesNotParseSaysSo() {
        assertThatThrownBy(() -> Listing.tree("{not json")).hasMessageContaining("does not parse").hasMessageContaining("{not json");
    }
}
