package io.syncline.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusReportTest {

    private static final ObjectMapper JSON = StatusReport.json();

    @Test
    void tablesOutsideTheConfigTravelInTheReportAndAreEmptyFromANodeThatDoesNotSendThem() throws Exception {
        StatusReport report = new StatusReport("dc-b", "RUNNING", true, List.of(), "reading dc-a", List.of(),
                new StatusReport.Capture("RUNNING", "syncline_dc_b", 5, 100L, 0L), List.of(), List.of(), 0, 0L, 0.5,
                List.of("public.orders"), "active");

        ObjectNode json = JSON.valueToTree(report);
        assertThat(json.get("tables_not_in_config").get(0).asText()).isEqualTo("public.orders");
        assertThat(JSON.treeToValue(json, StatusReport.class).tablesNotInConfig()).containsExactly("public.orders");

        json.remove("tables_not_in_config");
        assertThat(JSON.treeToValue(json, StatusReport.class).tablesNotInConfig()).isEmpty();
    }
}
