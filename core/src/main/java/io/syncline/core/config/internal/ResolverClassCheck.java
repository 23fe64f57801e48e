package io.syncline.core.config.internal;

import io.syncline.core.spi.ConflictResolver;
import java.lang.reflect.Modifier;

/** Checks that a {@code resolver:} class can be found and instantiated as a {@link ConflictResolver}. */
final class ResolverClassCheck {

    private static final String EXPECTED = "; expected a public class with a public no-argument constructor "
            + "implementing " + ConflictResolver.class.getName() + ", on the node's class path";

    private ResolverClassCheck() {}

    static void check(String className, String path, LoadContext ctx) {
        Class<?> type;
        try {
            // Not initialised: validating a config must not run the resolver's static code.
            type = Class.forName(className, false, ctx.classLoader());
        } catch (ClassNotFoundException e) {
            ctx.error(path, "class " + className + " is not on the class path" + EXPECTED);
            return;
        } catch (LinkageError e) {
            ctx.error(path, "class " + className + " cannot be loaded (" + e + ")" + EXPECTED);
            return;
        }
        if (!ConflictResolver.class.isAssignableFrom(type)) {
            ctx.error(path, "class " + className + " does not implement " + ConflictResolver.class.getName() + EXPECTED);
        } else if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            ctx.error(path, "class " + className + " is abstract" + EXPECTED);
        } else if (!Modifier.isPublic(type.getModifiers())) {
            ctx.error(path, "class " + className + " is not public" + EXPECTED);
        } else if (!hasPublicNoArgConstructor(type)) {
            ctx.error(path, "class " + className + " has no public no-argument constructor" + EXPECTED);
        }
    }

    private static boolean hasPublicNoArgConstructor(Class<?> type) {
        try {
            return Modifier.isPublic(type.getConstructor().getModifiers());
        } catch (NoSuchMethodException | SecurityException e) {
            return false;
        }
    }
}
