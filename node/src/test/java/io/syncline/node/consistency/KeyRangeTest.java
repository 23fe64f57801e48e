package io.syncline.node.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KeyRangeTest {

    private static final ComparedTable PAIRS = table();

    private static ComparedTable table() {
        Map<String, String> key = new LinkedHashMap<>();
        key.put("a", "text");
        key.put("b", "integer");
        Map<String, String> columns = new TreeMap<>(key);
        columns.put("v", "text");
        return new ComparedTable("public.pairs", "\"public\".\"pairs\"", key, columns);
    }

    @Test
    void boundedRangeComparesTheWholeKeyAsARow() {
        KeyRange range = new KeyRange(List.of("k1", "10"), List.of("k3", "2"));

        assertThat(range.condition(PAIRS)).isEqualTo("ROW(\"a\", \"b\") >= ROW(CAST(? AS text), CAST(? AS integer))"
                + " AND ROW(\"a\", \"b\") < ROW(CAST(? AS text), CAST(? AS integer))");
    }

    @Test
    void openEndsLeaveTheirSideOut() {
        assertThat(new KeyRange(null, List.of("k3", "2")).condition(PAIRS))
                .isEqualTo("ROW(\"a\", \"b\") < ROW(CAST(? AS text), CAST(? AS integer))");
        assertThat(new KeyRange(List.of("k1", "10"), null).condition(PAIRS))
                .isEqualTo("ROW(\"a\", \"b\") >= ROW(CAST(? AS text), CAST(? AS integer))");
        assertThat(new KeyRange(null, null).condition(PAIRS)).isEqualTo("true");
    }

    @Test
    void rowTextCoversEveryComparedColumnInNameOrder() {
        assertThat(PAIRS.rowText()).isEqualTo("ROW(\"a\", \"b\", \"v\")::text");
    }
}
