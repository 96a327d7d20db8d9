package dev.tailorpo.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A diffusers snapshot's {@code model_index.json}: the pipeline class and, per component folder,
 * the library and class that implement it ({@code "unet": ["diffusers", "UNet2DConditionModel"]}).
 * A component declared as {@code [null, null]} (SD's disabled safety checker, or the VAE of a
 * pixel-space model) is absent.
 *
 * @param dir the snapshot folder
 * @param pipelineClass {@code _class_name}
 * @param components present components by folder name, mapped to their class names
 */
public record ModelIndex(Path dir, String pipelineClass, Map<String, String> components) {
    public static final String FILE = "model_index.json";

    public ModelIndex {
        components = Map.copyOf(components);
    }

    /** Reads {@code dir/model_index.json}. */
    public static ModelIndex read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("not a diffusers snapshot: " + file + " is missing");
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file + " is not a JSON object");
        }
        Map<String, String> components = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (!e.getKey().startsWith("_") && v.isArray() && v.size() == 2 && v.get(1).isTextual()) {
                components.put(e.getKey(), v.get(1).asText());
            }
        });
        return new ModelIndex(dir, root.path("_class_name").asText("DiffusionPipeline"), components);
    }

    /** The class of a present component. */
    public Optional<String> component(String name) {
        return Optional.ofNullable(components.get(name));
    }

    /** The folder of a component that must be present; fails naming the snapshot otherwise. */
    public Path require(String name) {
        if (!components.containsKey(name)) {
            throw new ModelFormatException("snapshot " + dir + " declares no '" + name + "' in " + FILE);
        }
        Path p = dir.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new ModelFormatException("snapshot " + dir + " declares '" + name + "' but has no folder " + p);
        }
        return p;
    }
}
