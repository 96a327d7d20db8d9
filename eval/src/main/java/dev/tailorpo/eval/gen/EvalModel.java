package dev.tailorpo.eval.gen;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.trainers.engine.PreferenceTrainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of an evaluation: a label and the checkpoints behind it. No checkpoint means the base
 * model; several mean training runs of the same method with different seeds, which the tables
 * pool with the seed as the unit.
 *
 * @param label the row label, e.g. {@code tailorpo-g}
 * @param loras the LoRA adapter files, one per training run (resolved with {@link LoraWeights#resolve});
 *     empty for the base model
 */
public record EvalModel(String label, List<Path> loras) {
    /** The label of the base model. */
    public static final String BASE = "base";

    public EvalModel {
        if (label == null || label.isBlank() || label.chars().anyMatch(c -> c == '\n' || c == '\r' || c == ',')) {
            throw new InvalidInputException("bad model label '" + label + "': it must be non-empty, without commas or line breaks");
        }
        loras = List.copyOf(loras);
    }

    /** The base model, labelled {@value #BASE}. */
    public static EvalModel base() {
        return new EvalModel(BASE, List.of());
    }

    /** Whether this is the base model (no adapters). */
    public boolean isBase() {
        return loras.isEmpty();
    }

    /** The number of training runs (1 for the base model). */
    public int runs() {
        return Math.max(1, loras.size());
    }

    /**
     * Parses a command-line model: {@code base}; a LoRA file or run/checkpoint folder, labelled by
     * its name; or {@code LABEL=PATH[,PATH...]} (several paths: one training run each, e.g.
     * {@code tailorpo-g=runs/g-s0,runs/g-s1,runs/g-s2}); {@code LABEL=base} relabels the base model.
     * Paths are resolved against {@code cwd} and checked now.
     */
    public static EvalModel parse(String spec, Path cwd) {
        String s = spec.strip();
        if (s.isEmpty()) {
            throw new InvalidInputException("empty model: expected base, a path, or LABEL=PATH[,PATH...]");
        }
        int eq = s.indexOf('=');
        if (eq < 0) {
            if (s.equals(BASE)) {
                return base();
            }
            Path p = LoraWeights.resolve(cwd.resolve(s).toAbsolutePath().normalize());
            return new EvalModel(labelOf(p), List.of(p));
        }
        String label = s.substring(0, eq).strip();
        String rest = s.substring(eq + 1).strip();
        if (label.isEmpty() || rest.isEmpty()) {
            throw new InvalidInputException("model '" + spec + "': expected LABEL=PATH[,PATH...]");
        }
        if (rest.equals(BASE)) {
            return new EvalModel(label, List.of());
        }
        List<Path> paths = new ArrayList<>();
        for (String part : rest.split(",")) {
            if (part.isBlank()) {
                throw new InvalidInputException("model '" + spec + "': empty path in the list");
            }
            Path p = LoraWeights.resolve(cwd.resolve(part.strip()).toAbsolutePath().normalize());
            if (paths.contains(p)) {
                throw new InvalidInputException("model '" + label + "' lists " + p + " twice");
            }
            paths.add(p);
        }
        return new EvalModel(label, paths);
    }

    /**
     * A label for an adapter file: its run folder's name for {@code <run>/pytorch_lora_weights.safetensors},
     * {@code <run>@step-N} for a checkpoint's file, else the file name without {@code .safetensors}.
     */
    static String labelOf(Path loraFile) {
        Path dir = loraFile.getParent();
        String name = loraFile.getFileName().toString();
        if (name.equals(PreferenceTrainer.LORA_FILE) && dir != null && dir.getFileName() != null) {
            String folder = dir.getFileName().toString();
            Path up = dir.getParent();
            if (folder.startsWith("step-") && up != null && up.getFileName() != null
                    && up.getFileName().toString().equals("checkpoints") && up.getParent() != null
                    && up.getParent().getFileName() != null) {
                return up.getParent().getFileName() + "@" + folder;
            }
            return folder;
        }
        return name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
    }
}
