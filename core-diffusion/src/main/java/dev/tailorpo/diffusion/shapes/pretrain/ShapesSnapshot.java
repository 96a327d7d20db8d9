package dev.tailorpo.diffusion.shapes.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;
import dev.tailorpo.diffusion.models.clip.ClipVocabularyBuilder;
import dev.tailorpo.diffusion.pipeline.ModelIndex;
import dev.tailorpo.diffusion.shapes.ShapePrompt;
import dev.tailorpo.diffusion.shapes.ShapesPrompts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The layout of the shapes world's base model: a diffusers snapshot folder with
 * {@code model_index.json}, {@code scheduler/}, {@code tokenizer/}, {@code text_encoder/} and
 * {@code unet/}, and no VAE (the model denoises pixels). The architecture comes from the JSON files
 * shipped as resources next to this class, in exactly the format diffusers and transformers write.
 */
public final class ShapesSnapshot {
    /** The context length of the shapes world's tokenizer (the longest prompt has 10 tokens). */
    public static final int MAX_LENGTH = 16;

    private static final String RESOURCES = "/dev/tailorpo/diffusion/shapes/base/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ShapesSnapshot() {}

    /**
     * Writes everything but the weights into {@code dir}: the index, the scheduler, the tokenizer
     * trained on the world's words, and the two model configs (the text encoder's with its
     * vocabulary size and special ids filled in from the tokenizer).
     */
    public static void writeSkeleton(Path dir) {
        try {
            copy("model_index.json", dir.resolve(ModelIndex.FILE));
            copy("scheduler_config.json", dir.resolve("scheduler").resolve("scheduler_config.json"));
            copy("unet_config.json", dir.resolve("unet").resolve("config.json"));
            Path tokenizerDir = dir.resolve("tokenizer");
            ClipVocabularyBuilder.write(tokenizerDir, words(), MAX_LENGTH);
            ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
            ObjectNode text;
            try (InputStream in = resource("text_encoder_config.json")) {
                text = (ObjectNode) JSON.readTree(in);
            }
            text.put("vocab_size", tokenizer.vocabSize());
            text.put("bos_token_id", tokenizer.bosId());
            text.put("eos_token_id", tokenizer.eosId());
            text.put("pad_token_id", tokenizer.padId());
            text.put("max_position_embeddings", MAX_LENGTH);
            byte[] bytes = JSON.writeValueAsBytes(text);
            AtomicFiles.write(dir.resolve("text_encoder").resolve("config.json"), out -> out.write(bytes));
        } catch (IOException e) {
            throw new TailorException("cannot write the shapes model skeleton into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every word of every prompt of the world. */
    static Set<String> words() {
        Set<String> words = new TreeSet<>();
        for (ShapePrompt p : ShapesPrompts.all()) {
            words.addAll(Arrays.asList(p.toString().split(" ")));
        }
        return words;
    }

    private static void copy(String name, Path target) throws IOException {
        try (InputStream in = resource(name)) {
            byte[] bytes = in.readAllBytes();
            AtomicFiles.write(target, out -> out.write(bytes));
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ShapesSnapshot.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new TailorException("missing resource " + RESOURCES + name + " (a broken build)");
        }
        return in;
    }
}
