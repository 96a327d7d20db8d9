package dev.tailorpo.api.plugin;

import dev.tailorpo.api.PluginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginRegistryTest {

    private static final List<ServiceKind<?>> KINDS = List.of(GreeterProvider.KIND);
    private static final ClassLoader APP = PluginRegistryTest.class.getClassLoader();

    @TempDir
    Path plugins;

    @Test
    void findsAPluginJarWithItsSourceAndVersion() {
        Path jar = new PluginJar().greeter("com.example.hello.HelloGreeter", "hello", "\"hello from a plugin\"")
                .version("1.2.3").writeTo(plugins.resolve("hello-1.2.3.jar"));

        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            assertEquals("hello from a plugin", registry.get(GreeterProvider.KIND, "hello").greet());
            ProviderEntry hello = entry(registry, "hello");
            assertEquals("greeter", hello.kind());
            assertEquals("1.2.3", hello.version());
            assertEquals(jar.toString(), hello.source());

            ProviderEntry builtin = entry(registry, "builtin");
            assertEquals(PluginJar.location(BuiltInGreeter.class).toString(), builtin.source());
            assertEquals("dev", builtin.version(), "classes that were not packaged have no Implementation-Version");
        }
    }

    @Test
    void aPluginJarWithoutImplementationVersionIsDev() {
        new PluginJar().greeter("com.example.nover.Greeter", "nover", "\"x\"").writeTo(plugins.resolve("nover.jar"));
        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            assertEquals("dev", entry(registry, "nover").version());
        }
    }

    @Test
    void eachPluginJarHasItsOwnClassLoader() {
        // both jars hold a class com.example.shared.Message with different contents: each plugin must see its own
        Path a = new PluginJar().source("com.example.shared.Message", message("from a"))
                .greeter("com.example.a.AGreeter", "a", "com.example.shared.Message.TEXT").writeTo(plugins.resolve("a.jar"));
        Path b = new PluginJar().source("com.example.shared.Message", message("from b"))
                .greeter("com.example.b.BGreeter", "b", "com.example.shared.Message.TEXT").writeTo(plugins.resolve("b.jar"));

        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            GreeterProvider ga = registry.get(GreeterProvider.KIND, "a");
            GreeterProvider gb = registry.get(GreeterProvider.KIND, "b");
            assertEquals("from a", ga.greet());
            assertEquals("from b", gb.greet());
            assertNotSame(ga.getClass().getClassLoader(), gb.getClass().getClassLoader());
            assertEquals(List.of(a), urlsOf(ga));
            assertEquals(List.of(b), urlsOf(gb));
            // the SPI types come from the framework's loader, so the plugin's provider is a GreeterProvider here
            assertSame(APP, ga.getClass().getClassLoader().getParent());
        }
    }

    @Test
    void aSubFolderOfJarsIsOnePlugin() {
        Path folder = plugins.resolve("multi");
        Path lib = new PluginJar().source("com.example.multi.lib.Helper", """
                package com.example.multi.lib;
                public final class Helper {
                    public static String text() { return "helped"; }
                }
                """).writeTo(folder.resolve("helper-lib.jar"));
        Path main = new PluginJar().compileAgainst(lib)
                .greeter("com.example.multi.MultiGreeter", "multi", "com.example.multi.lib.Helper.text()")
                .version("2.0").writeTo(folder.resolve("multi-plugin.jar"));

        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            GreeterProvider multi = registry.get(GreeterProvider.KIND, "multi");
            assertEquals("helped", multi.greet(), "the provider's jar sees the other jar of its folder");
            assertEquals(List.of(lib, main), urlsOf(multi));
            ProviderEntry e = entry(registry, "multi");
            assertEquals(main.toString(), e.source());
            assertEquals("2.0", e.version());
            assertEquals(2, registry.entries().size(), "builtin and multi, the folder counted once");
        }
    }

    @Test
    void aDuplicateIdBetweenTwoPluginsNamesBothJars() {
        Path a = new PluginJar().greeter("com.example.a.Dup", "dup", "\"a\"").writeTo(plugins.resolve("a.jar"));
        Path b = new PluginJar().greeter("com.example.b.Dup", "dup", "\"b\"").writeTo(plugins.resolve("b.jar"));

        PluginException e = assertThrows(PluginException.class, () -> PluginRegistry.discover(KINDS, APP, plugins));
        assertTrue(e.getMessage().contains("'dup'"), e.getMessage());
        assertTrue(e.getMessage().contains(a.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(b.toString()), e.getMessage());
    }

    @Test
    void aPluginTakingABuiltInIdNamesTheClassPathSourceAndTheJar() {
        Path jar = new PluginJar().greeter("com.example.evil.Impostor", "builtin", "\"impostor\"")
                .writeTo(plugins.resolve("impostor.jar"));

        PluginException e = assertThrows(PluginException.class, () -> PluginRegistry.discover(KINDS, APP, plugins));
        assertTrue(e.getMessage().contains(PluginJar.location(BuiltInGreeter.class).toString()), e.getMessage());
        assertTrue(e.getMessage().contains(jar.toString()), e.getMessage());
    }

    @Test
    void anUnknownIdFailsListingTheKnownIds() {
        new PluginJar().greeter("com.example.hello.HelloGreeter", "hello", "\"hi\"").writeTo(plugins.resolve("hello.jar"));
        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            PluginException e = assertThrows(PluginException.class, () -> registry.get(GreeterProvider.KIND, "helo"));
            assertEquals("unknown greeter 'helo'; known greeter ids: builtin, hello", e.getMessage());
        }
    }

    @Test
    void classPathProvidersAreNotReportedTwice() {
        new PluginJar().greeter("com.example.a.AGreeter", "a", "\"a\"").writeTo(plugins.resolve("a.jar"));
        new PluginJar().greeter("com.example.b.BGreeter", "b", "\"b\"").writeTo(plugins.resolve("b.jar"));
        // a plugin that bundles a copy of a class-path provider: the parent loader wins, and it is the same provider
        new PluginJar().source("dev.tailorpo.api.plugin.BuiltInGreeter", """
                package dev.tailorpo.api.plugin;
                public final class BuiltInGreeter implements GreeterProvider {
                    public String id() { return "builtin"; }
                    public String description() { return "a bundled copy"; }
                    public String greet() { return "copy"; }
                }
                """).service(GreeterProvider.class, "dev.tailorpo.api.plugin.BuiltInGreeter")
                .writeTo(plugins.resolve("bundles-builtin.jar"));

        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            assertEquals(List.of("a", "b", "builtin"), registry.entries().stream().map(ProviderEntry::id).toList());
            assertEquals(3, registry.all(GreeterProvider.KIND).size());
            assertEquals("hello from the class path", registry.get(GreeterProvider.KIND, "builtin").greet());
        }
    }

    @Test
    void aMissingOrAbsentPluginsFolderLeavesTheClassPathOnly() {
        for (Path dir : new Path[] {null, plugins.resolve("does-not-exist")}) {
            try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, dir)) {
                assertEquals(List.of("builtin"), registry.entries().stream().map(ProviderEntry::id).toList());
            }
        }
    }

    @Test
    void filesThatAreNotJarsAndHiddenEntriesAreIgnored() throws Exception {
        Files.writeString(plugins.resolve("README.txt"), "not a plugin");
        Files.createDirectories(plugins.resolve(".cache"));
        new PluginJar().greeter("com.example.hello.HelloGreeter", "hello", "\"hi\"").writeTo(plugins.resolve("hello.jar"));
        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, plugins)) {
            assertEquals(2, registry.entries().size());
        }
    }

    @Test
    void aSubFolderWithoutJarsIsAnError() throws Exception {
        Files.createDirectories(plugins.resolve("empty"));
        PluginException e = assertThrows(PluginException.class, () -> PluginRegistry.discover(KINDS, APP, plugins));
        assertTrue(e.getMessage().contains(plugins.resolve("empty").toString()), e.getMessage());
    }

    @Test
    void aBrokenServiceFileNamesThePluginJar() {
        Path jar = new PluginJar().service(GreeterProvider.class, "com.example.Missing").writeTo(plugins.resolve("broken.jar"));
        PluginException e = assertThrows(PluginException.class, () -> PluginRegistry.discover(KINDS, APP, plugins));
        assertTrue(e.getMessage().contains(jar.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
    }

    @Test
    void anUnscannedKindIsRefused() {
        try (PluginRegistry registry = PluginRegistry.discover(KINDS, APP, null)) {
            ServiceKind<GreeterProvider> other = new ServiceKind<>("other", GreeterProvider.class);
            PluginException e = assertThrows(PluginException.class, () -> registry.all(other));
            assertTrue(e.getMessage().contains("'other'"), e.getMessage());
        }
    }

    private static String message(String text) {
        return "package com.example.shared;\npublic final class Message { public static final String TEXT = new String(\""
                + text + "\"); }\n";
    }

    private static ProviderEntry entry(PluginRegistry registry, String id) {
        return registry.entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    private static List<Path> urlsOf(Provider provider) {
        URLClassLoader loader = (URLClassLoader) provider.getClass().getClassLoader();
        return java.util.Arrays.stream(loader.getURLs()).map(PluginRegistryTest::toPath).toList();
    }

    private static Path toPath(URL url) {
        try {
            return Path.of(url.toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
