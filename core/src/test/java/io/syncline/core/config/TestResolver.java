package io.syncline.core.config;

import io.syncline.core.spi.ConflictResolver;

/** A custom resolver the loader can find on the test class path. */
public class TestResolver implements ConflictResolver {}
