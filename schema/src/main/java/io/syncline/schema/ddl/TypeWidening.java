package io.syncline.schema.ddl;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a column's new type holds every value of its old one, so that the DCs that have changed
 * it and those that have not yet can exchange rows without a loss or a refusal. Types are spelled
 * as {@code format_type} prints them. Stateless.
 *
 * <p>Accepted: {@code smallint} to {@code integer} to {@code bigint} (and any of them to an
 * unconstrained {@code numeric}), {@code real} to {@code double precision}, a longer or unbounded
 * {@code character varying} or {@code bit varying}, {@code character varying} to {@code text}, and
 * {@code numeric(p,s)} to {@code numeric(q,s)} with q &gt;= p or to an unconstrained {@code numeric}.
 * Anything else is not a widening.
 */
final class TypeWidening {

    private static final List<String> INTEGERS = List.of("smallint", "integer", "bigint");
    private static final Pattern BOUNDED = Pattern.compile("(character varying|bit varying|numeric)\\((\\d+)(?:,(\\d+))?\\)");

    private TypeWidening() {}

    static boolean widens(String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        int fromInteger = INTEGERS.indexOf(from);
        if (fromInteger >= 0) {
            return INTEGERS.indexOf(to) > fromInteger || to.equals("numeric");
        }
        if (from.equals("real")) {
            return to.equals("double precision");
        }
        if (from.equals("character varying")) {
            return to.equals("text");
        }
        Matcher bounded = BOUNDED.matcher(from);
        if (!bounded.matches()) {
            return false;
        }
        String name = bounded.group(1);
        if (to.equals(name) || (name.equals("character varying") && to.equals("text"))) {
            return true;
        }
        Matcher wider = BOUNDED.matcher(to);
        if (!wider.matches() || !wider.group(1).equals(name)) {
            return false;
        }
        boolean longer = Integer.parseInt(wider.group(2)) >= Integer.parseInt(bounded.group(2));
        if (name.equals("numeric")) {
            // numeric(p,s): another scale rounds, and q >= p with the same scale keeps the integer digits.
            return longer && scale(wider).equals(scale(bounded));
        }
        return longer;
    }

    private static String scale(Matcher numeric) {
        return numeric.group(3) == null ? "0" : numeric.group(3);
    }
}
