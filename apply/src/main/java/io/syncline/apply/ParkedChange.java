package io.syncline.apply;

import java.util.Map;

/**
 * A dead letter the applier wrote to {@code syncline.dead_letter}: a remote row change it could not
 * resolve (committed with the rest of its source transaction), or a whole source transaction the
 * database refused ({@code on-error: park}; then table and key are those of the refused change).
 *
 * @param id             the dead-letter row's id
 * @param error          why: the resolver's exception, or the database's refusal of the resolved row or of the transaction
 */
public record ParkedChange(long id, String table, Map<String, String> key, String originNode, long originPosition, String error) {}
