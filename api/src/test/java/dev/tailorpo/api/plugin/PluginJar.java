package dev.tailorpo.api.plugin;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builds a plugin jar the way a third party would: Java sources compiled against the api (and the
 * test service kinds), a {@code META-INF/services} file per service, an optional
 * {@code Implementation-Version} in the manifest.
 */
final class PluginJar {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private String version;

    /** Adds a class; {@code code} is the whole compilation unit. */
    PluginJar source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Adds a provider greeting with {@code greeting} (a Java expression of type String). */
    PluginJar greeter(String className, String id, String greeting) {
        int dot = className.lastIndexOf('.');
        String code = "package " + className.substring(0, dot) + ";\n"
                + "public final class " + className.substring(dot + 1) + " implements dev.tailorpo.api.plugin.GreeterProvider {\n"
                + "  public String id() { return \"" + id + "\"; }\n"
                + "  public String description() { return \"greeter " + id + "\"; }\n"
                + "  public String greet() { return " + greeting + "; }\n"
                + "}\n";
        return source(className, code).service(GreeterProvider.class, className);
    }

    /** Lists {@code implementation} in {@code META-INF/services/<service>}. */
    PluginJar service(Class<?> service, String implementation) {
        services.computeIfAbsent(service.getName(), k -> new ArrayList<>()).add(implementation);
        return this;
    }

    /** Writes {@code Implementation-Version} into the manifest. */
    PluginJar version(String v) {
        this.version = v;
        return this;
    }

    /** Compiles against these jars too (for a plugin split over several jars). */
    PluginJar compileAgainst(Path jar) {
        classPath.add(jar);
        return this;
    }

    /** Compiles, writes the jar and returns its path. */
    Path writeTo(Path jar) {
        try {
            Files.createDirectories(jar.getParent());
            Path classes = Files.createTempDirectory("plugin-classes-");
            compile(classes);
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (version != null) {
                manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    put(out, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
                for (Map.Entry<String, List<String>> s : services.entrySet()) {
                    put(out, "META-INF/services/" + s.getKey(),
                            (String.join("\n", s.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            deleteTree(classes);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void compile(Path out) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "the tests need a JDK (javax.tools.JavaCompiler)");
        List<Path> cp = new ArrayList<>(classPath);
        cp.add(location(Provider.class));
        cp.add(location(GreeterProvider.class));
        List<String> options = List.of("--release", "17", "-d", out.toString(), "-classpath",
                cp.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
        List<JavaFileObject> units = sources.entrySet().stream()
                .map(e -> (JavaFileObject) new Source(e.getKey(), e.getValue())).toList();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            if (!compiler.getTask(null, files, diagnostics, options, null, units).call()) {
                fail("cannot compile the test plugin: " + diagnostics.getDiagnostics());
            }
        }
    }

    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
