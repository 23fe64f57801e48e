/**
 * The YAML loader behind {@link io.syncline.core.config.NodeConfigLoader}: parses with
 * SnakeYAML's node API (which keeps line and column of every key and value), walks the
 * tree against the setting definitions of each section, and collects every problem before
 * failing once. Nothing here is API; other modules use {@code io.syncline.core.config}.
 */
package io.syncline.core.config.internal;
