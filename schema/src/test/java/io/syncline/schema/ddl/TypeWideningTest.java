package io.syncline.schema.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypeWideningTest {

    @ParameterizedTest(name = "{0} to {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        "integer; bigint; true",
        "smallint; integer; true",
        "bigint; integer; false",
        "integer; numeric; true",
        "integer; numeric(10,0); false",
        "real; double precision; true",
        "double precision; real; false",
        "character varying(20); character varying(40); true",
        "character varying(40); character varying(20); false",
        "character varying(20); text; true",
        "character varying(20); character varying; true",
        "character varying; text; true",
        "text; character varying(20); false",
        "numeric(10,2); numeric(12,2); true",
        "numeric(10,2); numeric(12,3); false",
        "numeric(10,2); numeric(9,2); false",
        "numeric(10,2); numeric; true",
        "numeric; numeric(10,2); false",
        "bit varying(8); bit varying(16); true",
        "timestamp with time zone; timestamp without time zone; false",
        "character(5); character(6); false",
        "text; text; true",
    })
    void onlyTypesThatHoldEveryOldValueWiden(String from, String to, boolean widens) {
        assertThat(TypeWidening.widens(from, to)).isEqualTo(widens);
    }
}
