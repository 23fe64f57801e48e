package io.syncline.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Expected strings are what PostgreSQL 15 prints for {@code value::text} in a UTC session. */
class PgTextTest {

    @Test
    void doublesPrintShortestRoundTripLikeFloat8Out() {
        assertThat(PgText.float8(1e20)).isEqualTo("1e+20");
        assertThat(PgText.float8(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(PgText.float8(100)).isEqualTo("100");
        assertThat(PgText.float8(0.0001)).isEqualTo("0.0001");
        assertThat(PgText.float8(123456789012345d)).isEqualTo("123456789012345");
        assertThat(PgText.float8(1234567890123456d)).isEqualTo("1.234567890123456e+15");
        assertThat(PgText.float8(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(PgText.float8(-2.5)).isEqualTo("-2.5");
        assertThat(PgText.float8(Double.NaN)).isEqualTo("NaN");
        assertThat(PgText.float8(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(PgText.float8(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(PgText.float8(-0.0)).isEqualTo("-0");
        assertThat(PgText.float8(2e-3)).isEqualTo("0.002");
        assertThat(PgText.float8(Double.MIN_VALUE)).isEqualTo("5e-324");
    }

    @Test
    void floatsPrintShortestRoundTripLikeFloat4Out() {
        assertThat(PgText.float4(100000f)).isEqualTo("100000");
        assertThat(PgText.float4(1000000f)).isEqualTo("1e+06");
        assertThat(PgText.float4(1.1f)).isEqualTo("1.1");
        assertThat(PgText.float4(3.4e38f)).isEqualTo("3.4e+38");
        assertThat(PgText.float4(Float.NaN)).isEqualTo("NaN");
    }

    @Test
    void datesAndTimestampsPrintIsoWithBcAndLongYears() {
        assertThat(PgText.date(LocalDate.of(2024, 1, 31))).isEqualTo("2024-01-31");
        assertThat(PgText.date(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
        assertThat(PgText.timestamp(LocalDateTime.of(-43, 3, 15, 10, 0))).isEqualTo("0044-03-15 10:00:00 BC");
        assertThat(PgText.timestamptz(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo("10000-01-01 00:00:00+00");
        assertThat(PgText.timestamptz(Instant.parse("2024-01-02T03:04:05.100Z"))).isEqualTo("2024-01-02 03:04:05.1+00");
        assertThat(PgText.timestamptz(Instant.parse("-0043-03-15T10:00:00Z"))).isEqualTo("0044-03-15 10:00:00+00 BC");
        assertThat(PgText.time(86_400_000_000L)).isEqualTo("24:00:00");
        assertThat(PgText.time(43_201_500_000L)).isEqualTo("12:00:01.5");
    }

    @Test
    void intervalsPrintInPostgresStyle() {
        assertThat(PgText.interval("P0Y10M3DT-4H-5M-6.5S")).isEqualTo("10 mons 3 days -04:05:06.5");
        assertThat(PgText.interval("P1Y-2M3DT-4H-5M-6.5S")).isEqualTo("10 mons 3 days -04:05:06.5");
        assertThat(PgText.interval("P0Y0M-1DT25H0M0S")).isEqualTo("-1 days +25:00:00");
        assertThat(PgText.interval("P0Y0M0DT0H0M0S")).isEqualTo("00:00:00");
        assertThat(PgText.interval("P0Y0M0DT0H0M1.5S")).isEqualTo("00:00:01.5");
        assertThat(PgText.interval("P0Y0M0DT0H0M-0.000001S")).isEqualTo("-00:00:00.000001");
        assertThat(PgText.interval("P-1Y0M0DT0H0M0S")).isEqualTo("-1 years");
        assertThat(PgText.interval("P1Y1M1DT1H0M0S")).isEqualTo("1 year 1 mon 1 day 01:00:00");
    }

    @Test
    void arraysQuoteAndEscapeLikeArrayOut() {
        assertThat(PgText.array(Arrays.asList("a b", "", "NULL", "q\"\\x", null), s -> s))
                .isEqualTo("{\"a b\",\"\",\"NULL\",\"q\\\"\\\\x\",NULL}");
        assertThat(PgText.array(Arrays.asList("{}", "x,y", "plain"), s -> s)).isEqualTo("{\"{}\",\"x,y\",plain}");
        assertThat(PgText.array(Arrays.asList(), s -> s.toString())).isEqualTo("{}");
    }

    @Test
    void byteaPrintsLowercaseHex() {
        assertThat(PgText.bytea("01FF")).isEqualTo("\\x01ff");
        assertThat(PgText.bytea(new byte[] {1, (byte) 0xff})).isEqualTo("\\x01ff");
    }
}
