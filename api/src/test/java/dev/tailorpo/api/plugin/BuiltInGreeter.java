package dev.tailorpo.api.plugin;

/** The class-path provider of the test kind (registered in the test resources' META-INF/services). */
public final class BuiltInGreeter implements GreeterProvider {
    @Override
    public String id() {
        return "builtin";
    }

    @Override
    public String description() {
        return "the greeter on the class path";
    }

    @Override
    public String greet() {
        return "hello from the class path";
    }
}
