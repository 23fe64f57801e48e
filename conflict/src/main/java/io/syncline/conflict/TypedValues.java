package io.syncline.conflict;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;

/**
 * Orders two values of one column by their type, not by their text: numbers numerically, dates,
 * times and timestamps chronologically (timestamps with time zone by instant). Values are
 * PostgreSQL's text output with {@code DateStyle} ISO. Stateless and thread-safe.
 *
 * <p>Order within a type follows PostgreSQL: {@code -Infinity} before every number and
 * {@code Infinity}, {@code NaN} last (PostgreSQL manual, "Numeric Types": NaN sorts above all
 * non-NaN values); {@code -infinity} and {@code infinity} dates and timestamps at the ends.
 */
public final class TypedValues {

    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter(Locale.ROOT);
    private static final DateTimeFormatter TIMESTAMP_TZ = new DateTimeFormatterBuilder()
            .append(TIMESTAMP)
            .appendOffset("+HH:mm", "+00")
            .toFormatter(Locale.ROOT);

    private TypedValues() {}

    /** Whether values of {@code type} (as {@code format_type} prints it) have an order this class knows. */
    public static boolean orderable(String type) {
        return kind(type).isPresent();
    }

    public static boolean numeric(String type) {
        return kind(type).filter(k -> k == Kind.NUMBER).isPresent();
    }

    /**
     * Compares two non-null values of {@code type}.
     *
     * @return negative, zero or positive; empty when the type has no known order or a value does not parse
     */
    public static Optional<Integer> compare(String type, String a, String b) {
        Optional<Kind> kind = kind(type);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(switch (kind.get()) {
                case NUMBER -> compareNumbers(a, b);
                case DATE -> compareWithInfinity(a, b, s -> LocalDate.parse(s).toEpochDay(), Long::compare);
                case TIMESTAMP -> compareWithInfinity(a, b, s -> LocalDateTime.parse(s, TIMESTAMP), LocalDateTime::compareTo);
                case TIMESTAMP_TZ -> compareWithInfinity(a, b, TypedValues::instantOf, java.time.Instant::compareTo);
                case TIME -> LocalTime.parse(a).compareTo(LocalTime.parse(b));
            });
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A number as {@link BigDecimal}, or empty for NaN, infinities and text that is no number. */
    public static Optional<BigDecimal> decimal(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BigDecimal(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private enum Kind { NUMBER, DATE, TIMESTAMP, TIMESTAMP_TZ, TIME }

    private static Optional<Kind> kind(String type) {
        if (type == null) {
            return Optional.empty();
        }
        String t = type.toLowerCase(Locale.ROOT);
        if (t.endsWith("[]")) {
            return Optional.empty();
        }
        if (t.equals("smallint") || t.equals("integer") || t.equals("bigint") || t.startsWith("numeric")
                || t.equals("real") || t.equals("double precision")) {
            return Optional.of(Kind.NUMBER);
        }
        if (t.equals("date")) {
            return Optional.of(Kind.DATE);
        }
        if (t.startsWith("timestamp")) {
            return Optional.of(t.endsWith("with time zone") ? Kind.TIMESTAMP_TZ : Kind.TIMESTAMP);
        }
        if (t.startsWith("time") && t.endsWith("without time zone")) {
            return Optional.of(Kind.TIME);
        }
        return Optional.empty();
    }

    private static int compareNumbers(String a, String b) {
        int rankA = numberRank(a);
        int rankB = numberRank(b);
        if (rankA != 1 || rankB != 1) {
            return Integer.compare(rankA, rankB);
        }
        return new BigDecimal(a.trim()).compareTo(new BigDecimal(b.trim()));
    }

    /** 0 = -Infinity, 1 = a number, 2 = Infinity, 3 = NaN. */
    private static int numberRank(String value) {
        return switch (value.trim()) {
            case "-Infinity" -> 0;
            case "Infinity" -> 2;
            case "NaN" -> 3;
            default -> 1;
        };
    }

    private static <T> int compareWithInfinity(String a, String b, java.util.function.Function<String, T> parse,
            java.util.Comparator<T> order) {
        int rankA = infinityRank(a);
        int rankB = infinityRank(b);
        if (rankA != 1 || rankB != 1) {
            return Integer.compare(rankA, rankB);
        }
        return order.compare(parse.apply(a), parse.apply(b));
    }

    private static int infinityRank(String value) {
        return switch (value) {
            case "-infinity" -> 0;
            case "infinity" -> 2;
            default -> 1;
        };
    }

    private static java.time.Instant instantOf(String value) {
        // PostgreSQL prints offsets as +HH, +HH:MM or +HH:MM:SS.
        String v = value;
        int sign = Math.max(v.lastIndexOf('+'), v.lastIndexOf('-'));
        if (sign > 10) {
            String offset = v.substring(sign);
            if (offset.length() == 3) {
                v = v + ":00";
            } else if (offset.length() == 9) {
                v = v.substring(0, v.length() - 3);
            }
        }
        return OffsetDateTime.parse(v, TIMESTAMP_TZ).toInstant();
    }
}
