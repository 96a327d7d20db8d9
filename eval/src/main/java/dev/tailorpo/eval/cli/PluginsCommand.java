package dev.tailorpo.eval.cli;

import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.plugin.ProviderEntry;
import dev.tailorpo.api.plugin.ServiceKind;
import dev.tailorpo.eval.plugins.ProviderKinds;
import org.apache.commons.cli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** {@code tailor plugins}: every provider found, with its kind, id, version and source jar. */
final class PluginsCommand implements Command {

    @Override
    public String name() {
        return "plugins";
    }

    @Override
    public String summary() {
        return "List the providers found, with their versions and jars";
    }

    @Override
    public String description() {
        return "List every provider of the built-in kinds (" + ProviderKinds.BUILT_IN.stream().map(ServiceKind::name)
                .collect(Collectors.joining(", ")) + ") found on the class path and in the plugins folder: its "
                + "kind, the id that configs and options use, its version (the Implementation-Version of its "
                + "jar, or 'dev' for unpackaged classes) and the jar or folder it was loaded from.\n\n"
                + "Plugins are loaded only from the plugins folder (--plugins-dir, default "
                + CliContext.DEFAULT_PLUGINS_DIR + "/ in the TailorPO-J folder): each jar in it, or each "
                + "sub-folder of jars, is one plugin with its own class loader. Two providers of one kind with "
                + "the same id are an error naming both jars.";
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        PluginRegistry registry = context.plugins();
        List<ProviderEntry> entries = registry.entries();
        TextTable table = new TextTable("KIND", "ID", "VERSION", "SOURCE", "DESCRIPTION");
        for (ServiceKind<?> kind : registry.kinds()) {
            List<ProviderEntry> ofKind = entries.stream().filter(e -> e.kind().equals(kind.name())).toList();
            if (ofKind.isEmpty()) {
                table.row(kind.name(), "-", "-", "(none found)");
            }
            for (ProviderEntry e : ofKind) {
                table.row(e.kind(), e.id(), e.version(), source(e.source()), e.provider().description());
            }
        }
        PrintStream out = context.out();
        table.print(out);
        out.println();
        Path dir = context.pluginsDir();
        long fromPlugins = entries.stream().filter(e -> isUnder(e.source(), dir)).count();
        out.println("Plugins folder: " + dir + (Files.isDirectory(dir)
                ? " (" + fromPlugins + " provider" + (fromPlugins == 1 ? "" : "s") + ")"
                : " (absent: no plugins loaded)"));
        return ExitCodes.OK;
    }

    private static String source(String source) {
        try {
            return CliContext.display(Path.of(source));
        } catch (RuntimeException e) {
            return source; // "(unknown source)" or a URL
        }
    }

    private static boolean isUnder(String source, Path dir) {
        try {
            return Path.of(source).toAbsolutePath().startsWith(dir);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
