package dev.tailorpo.eval.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.eval.gen.GenerationNoise;
import dev.tailorpo.eval.gen.ImageFolder;
import dev.tailorpo.eval.gen.ImageGenerator;
import dev.tailorpo.eval.gen.LoraWeights;
import dev.tailorpo.eval.gen.PromptFile;
import dev.tailorpo.eval.util.OutputFolder;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code tailor generate}: images for prompts, with the fixed per-image noise of evaluation. */
final class GenerateCommand implements Command {
    static final String PROMPT = "prompt";
    static final String PROMPTS = "prompts";
    static final String N = "n";
    static final String LORA = "lora";
    static final String OUT = "out";
    static final int DEFAULT_N = 4;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "Generate images for prompts with the base model or a checkpoint";
    }

    @Override
    public String description() {
        return "Generate --n images for each prompt with DDIM and classifier-free guidance (empty negative prompt), "
                + "optionally with LoRA adapters from a training run, and write one PNG per image "
                + "(p<prompt>_i<image>.png, at the model's resolution), a labelled grid (grid.png: a row per prompt, "
                + "a column per image index, small images enlarged by nearest neighbour; grid-1.png, grid-2.png, ... "
                + "for more than " + ImageFolder.GRID_PROMPTS + " prompts) and generation.json with the settings.\n\n"
                + "Image j of a prompt always starts from the same noise for the same --seed, --steps and --eta: the "
                + "noise is keyed by the seed, the prompt's text and j, not by the batch or the other prompts, so "
                + "the base model and every checkpoint can be compared image by image, and 'tailor eval' scores "
                + "exactly these images.\n\n"
                + "Defaults are the TailorPO paper's sampling setting, which training uses too (configs/shapes-train.yaml): "
                + SamplingOptions.DEFAULT_STEPS + " DDIM steps, eta " + SamplingOptions.fmt(SamplingOptions.DEFAULT_ETA)
                + ", guidance " + SamplingOptions.fmt(SamplingOptions.DEFAULT_GUIDANCE) + ", seed "
                + SamplingOptions.DEFAULT_SEED + ", " + DEFAULT_N + " images per prompt.\n\n"
                + "Example: tailor generate --prompt \"a large red star on a navy background\" --n 8 "
                + "--lora runs/tailorpo-1";
    }

    @Override
    public Options options() {
        Options o = new Options()
                .addOption(Option.builder().longOpt(PROMPT).hasArg().argName("TEXT")
                        .desc("A prompt; repeatable").build())
                .addOption(Option.builder().longOpt(PROMPTS).hasArg().argName("FILE")
                        .desc("A file of prompts, one a line (blank lines and # comments skipped), or a JSON array; "
                                + "repeatable; taken after any --prompt").build())
                .addOption(Option.builder().longOpt(N).hasArg().argName("N")
                        .desc("Images per prompt (default " + DEFAULT_N + ")").build())
                .addOption(Option.builder().longOpt(LORA).hasArg().argName("PATH")
                        .desc("LoRA adapters: a .safetensors file, or a run or checkpoint folder holding "
                                + "pytorch_lora_weights.safetensors (default: none, the base model)").build())
                .addOption(Option.builder().longOpt(OUT).hasArg().argName("DIR")
                        .desc("The folder to write; must be new or empty (default: a new folder "
                                + "runs/generate/<UTC time> in the TailorPO-J folder)").build());
        return SamplingOptions.addTo(o);
    }

    @Override
    public int run(CommandLine line, CliContext context) {
        List<String> prompts = prompts(line);
        int n = OptionValues.positive(line, N, DEFAULT_N);
        SamplingSettings settings = SamplingOptions.settings(line);
        long seed = SamplingOptions.seed(line);
        int batch = SamplingOptions.batch(line);
        Path modelDir = SamplingOptions.model(line);
        Path lora = line.hasOption(LORA) ? LoraWeights.resolve(Path.of(line.getOptionValue(LORA)).toAbsolutePath().normalize())
                : null;
        // a named folder is checked (and made) first; a fresh one once the model has loaded
        Path given = line.hasOption(OUT) ? OutputFolder.requireEmpty(Path.of(line.getOptionValue(OUT))) : null;
        Path out;

        ImageFolder.Written written;
        try (NDManager root = NDManager.newBaseManager(context.device())) {
            DiffusionModel model = DiffusionModel.load(modelDir, root);
            if (lora != null) {
                LoraWeights.attach(model, lora, root);
            }
            ImageGenerator generator = new ImageGenerator(model, settings, seed);
            out = given != null ? given : OutputFolder.fresh(CliContext.home().resolve("runs").resolve("generate"));
            int total = prompts.size() * n;
            try (Progress progress = Progress.start("generate", total, 0, context.err(), Math.max(1, batch))) {
                written = ImageFolder.write(generator, prompts, n, batch, out, root,
                        (done, all) -> progress.update(done, "images"));
            }
        }
        AtomicFiles.writeString(out.resolve("generation.json"), json(modelDir, lora, settings, seed, n, batch, prompts));
        context.out().printf(Locale.ROOT, "wrote %d images (%d prompts x %d) and %s to %s%n", written.images().size(),
                prompts.size(), n, written.grids().size() == 1 ? "grid.png" : written.grids().size() + " grids",
                CliContext.display(out));
        return ExitCodes.OK;
    }

    private static List<String> prompts(CommandLine line) {
        List<String> prompts = new ArrayList<>();
        if (line.hasOption(PROMPT)) {
            for (String p : line.getOptionValues(PROMPT)) {
                if (p.isBlank()) {
                    throw new UsageException("--prompt: empty prompt");
                }
                prompts.add(p.strip());
            }
        }
        if (line.hasOption(PROMPTS)) {
            for (String f : line.getOptionValues(PROMPTS)) {
                prompts.addAll(PromptFile.read(Path.of(f)).prompts());
            }
        }
        if (prompts.isEmpty()) {
            throw new UsageException("no prompts: give --prompt TEXT (repeatable) or --prompts FILE");
        }
        return prompts;
    }

    private static String json(Path model, Path lora, SamplingSettings s, long seed, int n, int batch, List<String> prompts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("lora", lora == null ? null : lora.toString());
        m.put("seed", seed);
        m.put("steps", s.steps());
        m.put("eta", s.eta());
        m.put("guidance", s.guidanceScale());
        m.put("images_per_prompt", n);
        m.put("batch", batch);
        m.put("noise", "x_T and step noise keyed by (seed, 'generate' 0x" + Long.toHexString(GenerationNoise.DOMAIN)
                + ", first 8 bytes of SHA-256(prompt), image index); GenerationNoise");
        m.put("commit", BuildInfo.current().commitDescription());
        m.put("prompts", prompts);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
