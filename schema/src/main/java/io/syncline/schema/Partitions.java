package io.syncline.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The partitions of replicated tables. A partitioned table replicates as itself: the publication
 * sends its partitions' changes under its name ({@code publish_via_partition_root}), its row
 * triggers are cloned to every partition, present and future (PostgreSQL 13 and later), and the
 * applier writes to it, which routes each row.
 */
final class Partitions {

    private Partitions() {}

    /** The partitions of {@code key}'s table at every level, quoted and qualified; empty for a plain table. */
    static List<String> of(Connection connection, TableKey key) throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT n.nspname, c.relname
                  FROM pg_catalog.pg_partition_tree(?::regclass) t
                  JOIN pg_catalog.pg_class c ON c.oid = t.relid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE t.level > 0
                 ORDER BY t.level, n.nspname, c.relname""")) {
            statement.setString(1, key.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    partitions.add(quoted(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return partitions;
    }

    /**
     * A problem for every replicated table that is a partition of another replicated table: its
     * changes are published under the ancestor's name, so it would never be captured as itself.
     */
    static List<String> nestedInReplicated(Connection connection, List<TableKey> keys) throws SQLException {
        Map<String, String> replicated = new TreeMap<>();
        keys.forEach(k -> replicated.put(k.quotedName(), k.qualifiedName()));
        List<String> problems = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT n.nspname, c.relname
                  FROM pg_catalog.pg_partition_ancestors(?::regclass) a
                  JOIN pg_catalog.pg_class c ON c.oid = a.relid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE a.relid <> ?::regclass""")) {
            for (TableKey key : keys) {
                statement.setString(1, key.quotedName());
                statement.setString(2, key.quotedName());
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        String ancestor = replicated.get(quoted(rs.getString(1), rs.getString(2)));
                        if (ancestor != null) {
                            problems.add("table " + key.qualifiedName() + " is a partition of " + ancestor
                                    + ", which is replicated too: its rows replicate as rows of " + ancestor
                                    + "; remove " + key.qualifiedName() + " from `tables`");
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static String quoted(String schema, String table) {
        return ReplicationSchemaInstaller.identifier(schema) + "." + ReplicationSchemaInstaller.identifier(table);
    }
}
