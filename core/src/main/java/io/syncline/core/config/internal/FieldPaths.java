package io.syncline.core.config.internal;

/** Builds the dotted paths that name settings in problems, e.g. {@code peers[1].kafka.bootstrap-servers}. */
final class FieldPaths {

    private FieldPaths() {}

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String item(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** The enclosing path, or empty for a top-level key. */
    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }
}
