package io.syncline.core.event;

import java.util.Map;

/** Reading a control record's columns out of the row change it travels as. */
final class ControlColumns {

    private ControlColumns() {}

    /** The value of {@code column} in {@code map}, or a clear error naming the record and the column. */
    static String required(Map<String, String> map, String column, String record) {
        String value = map.get(column);
        if (value == null) {
            throw new IllegalArgumentException(record + " without " + column);
        }
        return value;
    }
}
