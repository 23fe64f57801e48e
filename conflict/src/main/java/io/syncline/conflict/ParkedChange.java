package io.syncline.conflict;

import java.util.Map;

/**
 * A remote row change the applier could not resolve and parked in {@code syncline.dead_letter}
 * (committed with the rest of its source transaction).
 *
 * @param id             the dead-letter row's id
 * @param error          why: the resolver's exception or the database's refusal of the resolved row
 */
public record ParkedChange(long id, String table, Map<String, String> key, String originNode, long originPosition, String error) {}
