package io.syncline.core.config;

import io.syncline.core.spi.ConflictResolver;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;

/** A custom resolver the loader can find on the test class path. */
public class TestResolver implements ConflictResolver {

    @Override
    public Resolution resolve(RowConflict conflict) {
        return Resolution.takeRemote();
    }
}
