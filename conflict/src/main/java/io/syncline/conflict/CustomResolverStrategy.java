package io.syncline.conflict;

import io.syncline.core.spi.ConflictResolver;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code custom}: adapts a user's {@link ConflictResolver}. Checks what it returns (no unknown
 * columns, key columns equal to the key, a delete only for a whole row) and turns every failure,
 * thrown or returned, into a {@link ResolverFailedException}, which parks the change instead of
 * stopping replication. Thread-safe if the resolver is.
 */
public final class CustomResolverStrategy implements ConflictStrategy {

    private final ConflictResolver resolver;
    private final String ruleName;

    public CustomResolverStrategy(ConflictResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.ruleName = "custom:" + resolver.name();
    }

    /**
     * Instantiates {@code className} with its public no-argument constructor.
     *
     * @throws IllegalStateException if the class cannot be loaded or instantiated (the config loader checked it
     *                               already, so this means the class path changed)
     */
    public static ConflictResolver instantiate(String className, ClassLoader loader) {
        try {
            Class<?> type = Class.forName(className, true, loader);
            return (ConflictResolver) type.getConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                | InvocationTargetException | ClassCastException | LinkageError e) {
            throw new IllegalStateException("cannot instantiate the conflict resolver " + className + ": " + e, e);
        }
    }

    @Override
    public String ruleName() {
        return ruleName;
    }

    @Override
    public Resolution resolve(RowConflict conflict) {
        Resolution resolution;
        try {
            resolution = resolver.resolve(conflict);
        } catch (RuntimeException | LinkageError e) {
            throw new ResolverFailedException(ruleName + " threw " + e, e);
        }
        if (resolution == null) {
            throw new ResolverFailedException(ruleName + " returned null", null);
        }
        if (resolution.kind() == Resolution.Kind.MERGED) {
            for (Map.Entry<String, String> entry : resolution.values().entrySet()) {
                String column = entry.getKey();
                if (!conflict.columnTypes().containsKey(column)) {
                    throw new ResolverFailedException(ruleName + " returned a row with the unknown column " + column, null);
                }
                if (conflict.key().containsKey(column) && !Objects.equals(conflict.key().get(column), entry.getValue())) {
                    throw new ResolverFailedException(ruleName + " changed the key column " + column + " from "
                            + conflict.key().get(column) + " to " + entry.getValue(), null);
                }
            }
        }
        return resolution;
    }

    @Override
    public String resolveColumn(RowConflict conflict, String column) {
        Resolution resolution = resolve(conflict);
        return switch (resolution.kind()) {
            case KEEP_LOCAL -> conflict.local().values().get(column);
            case TAKE_REMOTE -> conflict.remote().values().get(column);
            case MERGED -> resolution.values().containsKey(column)
                    ? resolution.values().get(column)
                    : conflict.local().values().get(column);
            case DELETE -> throw new ResolverFailedException(ruleName + " decided to delete the row as the rule of the"
                    + " single column " + column, null);
        };
    }
}
