package io.syncline.connector.internal;

import io.debezium.connector.postgresql.PostgresValueConverter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;

/**
 * The PostgreSQL text form of one Kafka Connect value as Debezium's PostgreSQL connector delivers
 * it, with the capture's settings ({@link DebeziumSettings}): what {@code value::text} prints at the
 * origin, so that every type round-trips exactly. The per-type printing is {@link PgText}'s.
 * Stateless and thread-safe.
 */
final class ConnectValueText {

    private ConnectValueText() {}

    private static final long POSITIVE_INFINITY_DAYS = PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE.toEpochDay();
    private static final long NEGATIVE_INFINITY_DAYS = PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE.toEpochDay();
    // Inside date[] Debezium turns infinity into PGStatement's infinity milliseconds as an int day count.
    private static final Set<Long> POSITIVE_INFINITY_ARRAY_DAYS = Set.copyOf(List.of(
            (long) (int) (org.postgresql.PGStatement.DATE_POSITIVE_INFINITY / 86_400_000L),
            (long) (int) Math.floorDiv(org.postgresql.PGStatement.DATE_POSITIVE_INFINITY, 86_400_000L)));
    // -infinity has no such formula; this day count is what Debezium 3.6.1 with pgjdbc 42.7 delivers
    // (CaptureIT checks it, so a change of either shows up there).
    private static final Set<Long> NEGATIVE_INFINITY_ARRAY_DAYS = Set.of(-625_821_272L);
    private static final long POSITIVE_INFINITY_MICROS = micros(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE_TIME);
    private static final long NEGATIVE_INFINITY_MICROS = micros(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE_TIME);


    /** The PostgreSQL text form of one Connect value; {@code null} for SQL NULL. */
    static String of(Schema schema, Object value, boolean arrayElement) {
        if (value == null) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case io.debezium.time.Date.SCHEMA_NAME -> {
                    long days = ((Number) value).longValue();
                    if (days == POSITIVE_INFINITY_DAYS || arrayElement && POSITIVE_INFINITY_ARRAY_DAYS.contains(days)) {
                        return "infinity";
                    }
                    if (days == NEGATIVE_INFINITY_DAYS || arrayElement && NEGATIVE_INFINITY_ARRAY_DAYS.contains(days)) {
                        return "-infinity";
                    }
                    return PgText.date(LocalDate.ofEpochDay(days));
                }
                case io.debezium.time.MicroTimestamp.SCHEMA_NAME -> {
                    return timestamp(((Number) value).longValue());
                }
                case io.debezium.time.Timestamp.SCHEMA_NAME -> {
                    return timestamp(Math.multiplyExact(((Number) value).longValue(), 1000L));
                }
                case io.debezium.time.NanoTimestamp.SCHEMA_NAME -> {
                    return timestamp(((Number) value).longValue() / 1000);
                }
                case io.debezium.time.MicroTime.SCHEMA_NAME -> {
                    return PgText.time(((Number) value).longValue());
                }
                case io.debezium.time.Time.SCHEMA_NAME -> {
                    return PgText.time(((Number) value).longValue() * 1000);
                }
                case io.debezium.time.NanoTime.SCHEMA_NAME -> {
                    return PgText.time(((Number) value).longValue() / 1000);
                }
                case io.debezium.time.ZonedTimestamp.SCHEMA_NAME -> {
                    String s = (String) value;
                    if (s.equals("infinity") || s.equals("-infinity")) {
                        return s;
                    }
                    return PgText.timestamptz(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s, Instant::from));
                }
                case io.debezium.time.ZonedTime.SCHEMA_NAME -> {
                    OffsetTime time = OffsetTime.parse((String) value).withOffsetSameInstant(ZoneOffset.UTC);
                    return PgText.time(time.toLocalTime().toNanoOfDay() / 1000) + "+00";
                }
                case io.debezium.time.Interval.SCHEMA_NAME -> {
                    return PgText.interval((String) value);
                }
                case Decimal.LOGICAL_NAME -> {
                    return ((java.math.BigDecimal) value).toPlainString();
                }
                case org.apache.kafka.connect.data.Date.LOGICAL_NAME,
                        org.apache.kafka.connect.data.Time.LOGICAL_NAME,
                        org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME,
                        io.debezium.data.Bits.LOGICAL_NAME,
                        io.debezium.data.VariableScaleDecimal.LOGICAL_NAME,
                        io.debezium.time.MicroDuration.SCHEMA_NAME -> throw new UnconvertibleValueException(
                                "values of logical type " + name + " lose precision or form; the capture is configured not to produce them");
                default -> {
                    // Json, Uuid, Xml, Ltree, Enum, ...: the string is PostgreSQL's own output.
                }
            }
        }
        String sourceType = schema.parameters() == null ? null : schema.parameters().get(ChangeConverter.SOURCE_TYPE_PARAMETER);
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> {
                return value.toString();
            }
            case FLOAT32 -> {
                return PgText.float4((Float) value);
            }
            case FLOAT64 -> {
                return PgText.float8((Double) value);
            }
            case BOOLEAN -> {
                boolean b = (Boolean) value;
                // boolout prints t/f (what array_out uses); the cast to text prints true/false.
                return arrayElement ? (b ? "t" : "f") : (b ? "true" : "false");
            }
            case STRING -> {
                String s = (String) value;
                if ("BYTEA".equals(sourceType)) {
                    return PgText.bytea(s);
                }
                if ("NUMERIC".equals(sourceType) || "DECIMAL".equals(sourceType)) {
                    // SpecialValueDecimal names the special values by its enum constants.
                    switch (s) {
                        case "NAN" -> {
                            return "NaN";
                        }
                        case "POSITIVE_INFINITY" -> {
                            return "Infinity";
                        }
                        case "NEGATIVE_INFINITY" -> {
                            return "-Infinity";
                        }
                        default -> {
                            return s;
                        }
                    }
                }
                if (!arrayElement && "BPCHAR".equals(sourceType)) {
                    // char(n)::text drops the padding; char(n) input pads it back.
                    return stripTrailingSpaces(s);
                }
                return s;
            }
            case BYTES -> {
                return value instanceof ByteBuffer buffer ? PgText.bytea(toArray(buffer)) : PgText.bytea((byte[]) value);
            }
            case ARRAY -> {
                Schema element = withArraySourceType(schema.valueSchema(), sourceType);
                return PgText.array((List<?>) value, e -> of(element, e, true));
            }
            default -> throw new UnconvertibleValueException("unsupported Connect type " + schema.type()
                    + (sourceType == null ? "" : " (PostgreSQL " + sourceType + ")"));
        }
    }

    private static Schema withArraySourceType(Schema element, String arraySourceType) {
        if (arraySourceType == null || !arraySourceType.startsWith("_")) {
            return element;
        }
        String elementType = arraySourceType.substring(1);
        if (element.type() == Schema.Type.STRING && element.name() == null && elementType.equals("BYTEA")) {
            return new org.apache.kafka.connect.data.SchemaBuilder(Schema.Type.STRING).optional()
                    .parameter(ChangeConverter.SOURCE_TYPE_PARAMETER, "BYTEA").build();
        }
        return element;
    }

    private static String timestamp(long micros) {
        if (micros == POSITIVE_INFINITY_MICROS) {
            return "infinity";
        }
        if (micros == NEGATIVE_INFINITY_MICROS) {
            return "-infinity";
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
        return PgText.timestamp(t);
    }

    private static long micros(LocalDateTime t) {
        Instant i = t.toInstant(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
