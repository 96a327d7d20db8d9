package dev.tailorpo.api.plugin;

/** A service kind that exists only in the tests, so plugin jars compiled at run time need nothing but the api. */
public interface GreeterProvider extends Provider {

    ServiceKind<GreeterProvider> KIND = new ServiceKind<>("greeter", GreeterProvider.class);

    String greet();
}
