package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ColumnTypesTest {

    @ParameterizedTest(name = "{0} into {1} (unconstrained here: {2}) -> {3}")
    @CsvSource(delimiter = ';', value = {
        "INT4(10,0); INT4(10,0); false; ",
        "VARCHAR(20,0); VARCHAR(40,0); false; ",
        "VARCHAR(40,0); VARCHAR(20,0); false; narrower here",
        "VARCHAR(2147483647,0); VARCHAR(20,0); false; narrower here",
        "VARCHAR(20,0); VARCHAR(2147483647,0); true; ",
        "NUMERIC(10,2); NUMERIC(12,2); false; ",
        "NUMERIC(10,2); NUMERIC(10,1); false; another scale",
        "NUMERIC(10,2); NUMERIC(11,3); false; another scale",
        "NUMERIC(10,2); NUMERIC(9,2); false; fewer integer digits here",
        "NUMERIC(0,0); NUMERIC(10,2); false; unconstrained at the origin, constrained here",
        "NUMERIC(10,2); NUMERIC(0,0); true; ",
        "TIMESTAMPTZ(6,0); TIMESTAMP(6,0); false; another type",
        "TIMESTAMP(6,0); TIMESTAMP(3,0); false; narrower here",
        "INT4(10,0); INT8(19,0); false; another type",
        "BPCHAR(5,0); BPCHAR(6,0); false; another length",
        "BPCHAR(5,0); BPCHAR(5,3); false; ",
        "FLOAT8(17,0); FLOAT8(17,17); false; ",
        "MOOD(2147483647,0); TEXT(2147483647,0); false; ",
        "_INT4(10,0); _INT8(19,0); false; ",
    })
    void onlyWideningWithinOneTypeIsLossless(String source, String local, boolean localUnconstrained, String reason) {
        assertThat(ColumnTypes.lossyReason(source, local, localUnconstrained)).isEqualTo(reason);
    }
}
