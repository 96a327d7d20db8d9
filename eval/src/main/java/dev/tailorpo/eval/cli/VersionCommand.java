package dev.tailorpo.eval.cli;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.tailorpo.api.TailorException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** {@code tailor version}: the versions of TailorPO-J, DJL, PyTorch and Java, CUDA, and the device. */
final class VersionCommand implements Command {

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "Show the versions of TailorPO-J, DJL, PyTorch and Java";
    }

    @Override
    public String description() {
        return "Show the TailorPO-J version and the git commit it was built from, the DJL and PyTorch versions, "
                + "Java and the operating system. It loads PyTorch's native library to report the version that "
                + "actually runs, whether it can use CUDA and how many GPUs it sees, and the device --device would pick; "
                + "--no-engine skips that.";
    }

    @Override
    public Options options() {
        return new Options().addOption(Option.builder().longOpt("no-engine")
                .desc("Do not load PyTorch; show only the versions built against").build());
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        BuildInfo build = BuildInfo.current();
        PrintStream out = context.out();
        row(out, "TailorPO-J", build.version());
        row(out, "git commit", build.commitDescription());
        row(out, "DJL", Engine.getDjlVersion());
        boolean loaded = false;
        if (line.hasOption("no-engine")) {
            row(out, "PyTorch", build.pytorch() + " (built against; not loaded)");
        } else {
            try {
                row(out, "PyTorch", Engine.getEngine("PyTorch").getVersion() + " (native library loaded)");
                loaded = true;
            } catch (RuntimeException | LinkageError e) {
                row(out, "PyTorch", build.pytorch() + " (built against; the native library did not load: "
                        + e.getMessage() + ")");
                if (context.debug()) {
                    e.printStackTrace(context.err());
                }
            }
        }
        TailorException deviceError = null;
        if (loaded) {
            row(out, "CUDA", cuda(Engine.getEngine("PyTorch")));
            try {
                row(out, "device", DeviceSpec.name(context.device())
                        + (context.deviceSpec().text() == null ? " (default)" : ""));
            } catch (TailorException e) {
                row(out, "device", "unavailable");
                deviceError = e; // reported after the other rows, as the command's error
            }
        }
        row(out, "Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")");
        row(out, "OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        if (deviceError != null) {
            throw deviceError;
        }
        return ExitCodes.OK;
    }

    /**
     * Whether the loaded libtorch can use CUDA, how many GPUs it sees, and where the library came
     * from: the {@code PYTORCH_LIBRARY_PATH} the launcher sets from {@code TAILOR_LIBTORCH}, or
     * the CPU build bundled with the application.
     */
    static String cuda(Engine engine) {
        String path = System.getenv("PYTORCH_LIBRARY_PATH");
        String source = path == null || path.isBlank() ? "the bundled CPU libtorch" : "libtorch from " + path;
        if (!engine.hasCapability(StandardCapabilities.CUDA)) {
            return "no (" + source + "; to use a GPU see docs/GPU.md)";
        }
        int gpus = engine.getGpuCount();
        return "yes, " + gpus + " GPU" + (gpus == 1 ? "" : "s") + " (" + source + ")";
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("%-11s %s%n", name, value);
    }
}
