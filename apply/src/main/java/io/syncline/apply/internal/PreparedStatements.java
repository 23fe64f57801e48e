package io.syncline.apply.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** An apply session's cache of prepared statements on its connection, which owns and closes them. */
@FunctionalInterface
interface PreparedStatements {

    /** The statement for {@code sql}, prepared on first use and reused after. */
    PreparedStatement prepared(String sql) throws SQLException;
}
