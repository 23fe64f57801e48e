package io.syncline.core.config.internal;

import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.OnError;
import io.syncline.core.config.TableName;

/**
 * A {@code tables[i]} entry as written, before the default conflict rule is applied.
 *
 * @param name the table
 * @param namePath the setting that names it ({@code tables[i]} or {@code tables[i].name})
 * @param location where it is named
 * @param conflict its own conflict settings
 * @param onError what the applier does with a remote transaction the database refuses in it
 */
record TableEntry(TableName name, String namePath, ConfigLocation location, TableConflict conflict, OnError onError) {}
