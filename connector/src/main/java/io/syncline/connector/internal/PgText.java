package io.syncline.connector.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's text output of values, rebuilt from the Java values Debezium delivers: for each
 * type, what {@code value::text} prints in a session with {@code TimeZone=UTC},
 * {@code DateStyle=ISO}, {@code IntervalStyle=postgres} and the default
 * {@code extra_float_digits=1}. Stateless and thread-safe.
 */
final class PgText {

    private PgText() {}

    /**
     * {@code float8out}: the shortest decimal that reads back as the same double (PostgreSQL 12+,
     * Ryu), fixed-point for decimal exponents in [-4, 15), otherwise {@code 1.5e+20}
     * (src/common/d2s.c).
     */
    static String float8(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return (1 / value) < 0 ? "-0" : "0";
        }
        BigDecimal shortest = shortest(new BigDecimal(value), 17, s -> Double.parseDouble(s) == value);
        return format(shortest, 15);
    }

    /** {@code float4out}: as {@link #float8} with the fixed-point range [-4, 6) (src/common/f2s.c). */
    static String float4(float value) {
        if (Float.isNaN(value)) {
            return "NaN";
        }
        if (Float.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return (1 / value) < 0 ? "-0" : "0";
        }
        BigDecimal shortest = shortest(new BigDecimal(value), 9, s -> Float.parseFloat(s) == value);
        return format(shortest, 6);
    }

    // The shortest digit string in the rounding interval of the binary value, the closest to the
    // exact value when several have that length (Adams, "Ryu", PLDI 2018). At each precision only
    // the two neighbours of the exact value can be in the interval; trying both matters at
    // powers of two, where the interval is asymmetric.
    private static BigDecimal shortest(BigDecimal exact, int maxDigits, java.util.function.Predicate<String> roundTrips) {
        for (int digits = 1; digits <= maxDigits; digits++) {
            BigDecimal down = exact.round(new MathContext(digits, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(digits, RoundingMode.UP));
            boolean downOk = roundTrips.test(down.toString());
            boolean upOk = roundTrips.test(up.toString());
            if (downOk && upOk) {
                int cmp = exact.subtract(down).abs().compareTo(up.subtract(exact).abs());
                if (cmp != 0) {
                    return cmp < 0 ? down : up;
                }
                return exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            }
            if (downOk) {
                return down;
            }
            if (upOk) {
                return up;
            }
        }
        return exact.round(new MathContext(maxDigits, RoundingMode.HALF_EVEN));
    }

    private static String format(BigDecimal value, int fixedBelowExponent) {
        BigDecimal stripped = value.stripTrailingZeros();
        int exponent = stripped.precision() - stripped.scale() - 1;
        if (exponent >= -4 && exponent < fixedBelowExponent) {
            return stripped.scale() < 0 ? stripped.setScale(0).toPlainString() : stripped.toPlainString();
        }
        String digits = stripped.unscaledValue().abs().toString();
        StringBuilder out = new StringBuilder();
        if (stripped.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    /** {@code date_out}: {@code 2024-01-31}, {@code 0044-03-15 BC}, {@code 10000-01-01}. */
    static String date(LocalDate date) {
        StringBuilder out = new StringBuilder();
        appendDate(out, date);
        return bc(out, date.getYear()).toString();
    }

    /** {@code timestamp_out} of a timestamp without time zone. */
    static String timestamp(LocalDateTime timestamp) {
        StringBuilder out = new StringBuilder();
        appendDate(out, timestamp.toLocalDate());
        out.append(' ');
        appendTime(out, timestamp.toLocalTime());
        return bc(out, timestamp.getYear()).toString();
    }

    /** {@code timestamptz_out} in a session with {@code TimeZone=UTC}: {@code 2024-01-31 10:00:00.5+00}. */
    static String timestamptz(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        appendDate(out, utc.toLocalDate());
        out.append(' ');
        appendTime(out, utc.toLocalTime());
        out.append("+00");
        return bc(out, utc.getYear()).toString();
    }

    /** {@code time_out} from microseconds since midnight; {@code 24:00:00} is a legal value. */
    static String time(long micros) {
        StringBuilder out = new StringBuilder();
        long seconds = micros / 1_000_000;
        two(out, seconds / 3600).append(':');
        two(out, (seconds / 60) % 60).append(':');
        two(out, seconds % 60);
        appendFraction(out, micros % 1_000_000);
        return out.toString();
    }

    private static void appendDate(StringBuilder out, LocalDate date) {
        int year = date.getYear() > 0 ? date.getYear() : 1 - date.getYear();
        String y = Integer.toString(year);
        for (int i = y.length(); i < 4; i++) {
            out.append('0');
        }
        out.append(y).append('-');
        two(out, date.getMonthValue()).append('-');
        two(out, date.getDayOfMonth());
    }

    private static void appendTime(StringBuilder out, LocalTime time) {
        two(out, time.getHour()).append(':');
        two(out, time.getMinute()).append(':');
        two(out, time.getSecond());
        appendFraction(out, time.getNano() / 1000);
    }

    private static StringBuilder bc(StringBuilder out, int isoYear) {
        return isoYear > 0 ? out : out.append(" BC");
    }

    private static void appendFraction(StringBuilder out, long micros) {
        if (micros == 0) {
            return;
        }
        String fraction = String.format(Locale.ROOT, "%06d", micros);
        int end = fraction.length();
        while (fraction.charAt(end - 1) == '0') {
            end--;
        }
        out.append('.').append(fraction, 0, end);
    }

    private static StringBuilder two(StringBuilder out, long value) {
        if (value < 10) {
            out.append('0');
        }
        return out.append(value);
    }

    private static final Pattern ISO_INTERVAL =
            Pattern.compile("P(-?\\d+)Y(-?\\d+)M(-?\\d+)DT(-?\\d+)H(-?\\d+)M(-?[0-9.]+)S");

    /**
     * {@code interval_out} with {@code IntervalStyle=postgres} from Debezium's string form
     * {@code P1Y2M3DT4H5M6.78S} (io.debezium.time.Interval). PostgreSQL keeps months, days and
     * microseconds apart, so months and days are printed as given and the time fields are summed
     * (src/backend/utils/adt/datetime.c, EncodeInterval).
     */
    static String interval(String iso) {
        Matcher m = ISO_INTERVAL.matcher(iso);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an interval in Debezium's ISO form: " + iso);
        }
        long totalMonths = Long.parseLong(m.group(1)) * 12 + Long.parseLong(m.group(2));
        long days = Long.parseLong(m.group(3));
        long micros = Math.addExact(
                (Long.parseLong(m.group(4)) * 3600 + Long.parseLong(m.group(5)) * 60) * 1_000_000,
                new BigDecimal(m.group(6)).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact());
        return interval(totalMonths, days, micros);
    }

    static String interval(long totalMonths, long days, long micros) {
        StringBuilder out = new StringBuilder();
        boolean[] state = {true, false}; // isZero, isBefore
        intervalPart(out, totalMonths / 12, "year", state);
        intervalPart(out, totalMonths % 12, "mon", state);
        intervalPart(out, days, "day", state);
        if (state[0] || micros != 0) {
            boolean minus = micros < 0;
            long abs = Math.abs(micros);
            if (!state[0]) {
                out.append(' ');
            }
            out.append(minus ? "-" : state[1] ? "+" : "");
            long seconds = abs / 1_000_000;
            two(out, seconds / 3600).append(':');
            two(out, (seconds / 60) % 60).append(':');
            two(out, seconds % 60);
            appendFraction(out, abs % 1_000_000);
        }
        return out.toString();
    }

    private static void intervalPart(StringBuilder out, long value, String unit, boolean[] state) {
        if (value == 0) {
            return;
        }
        if (!state[0]) {
            out.append(' ');
        }
        if (state[1] && value > 0) {
            out.append('+');
        }
        out.append(value).append(' ').append(unit);
        if (value != 1) {
            out.append('s');
        }
        state[1] = value < 0;
        state[0] = false;
    }

    /** {@code \x0aff}: bytea's hex output from Debezium's hex string. */
    static String bytea(String hex) {
        return "\\x" + hex.toLowerCase(Locale.ROOT);
    }

    /** {@code bytea} from raw bytes. */
    static String bytea(byte[] bytes) {
        StringBuilder out = new StringBuilder(2 + bytes.length * 2).append("\\x");
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    /**
     * {@code array_out} of a one-dimensional array: elements in their output form, double-quoted
     * when empty, {@code NULL} in any case, or containing a delimiter, brace, quote, backslash or
     * white space; quotes and backslashes escaped with a backslash (PostgreSQL docs, 8.15.6).
     */
    static <T> String array(List<T> elements, Function<T, String> elementText) {
        StringBuilder out = new StringBuilder().append('{');
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            T element = elements.get(i);
            if (element == null) {
                out.append("NULL");
                continue;
            }
            String text = elementText.apply(element);
            if (needsQuotes(text)) {
                out.append('"');
                for (int c = 0; c < text.length(); c++) {
                    char ch = text.charAt(c);
                    if (ch == '"' || ch == '\\') {
                        out.append('\\');
                    }
                    out.append(ch);
                }
                out.append('"');
            } else {
                out.append(text);
            }
        }
        return out.append('}').toString();
    }

    private static boolean needsQuotes(String text) {
        if (text.isEmpty() || text.equalsIgnoreCase("NULL")) {
            return true;
        }
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            // array_isspace: space, \t, \n, \r, \v, \f
            if (ch == '{' || ch == '}' || ch == ',' || ch == '"' || ch == '\\'
                    || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == 0x0b || ch == '\f') {
                return true;
            }
        }
        return false;
    }
}
