package dev.tailorpo.diffusion.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a prompt set in the formats the field uses: a text file with one prompt per line (blank
 * lines and lines starting with {@code #} skipped; D3PO's {@code simple_animals.txt}, the shapes
 * sets), or a JSON array whose elements are strings or objects with a {@code caption} or
 * {@code prompt} field (SPO's Pick-a-Pic training prompts).
 */
public final class PromptFile {
    private PromptFile() {}

    /** The prompts of {@code file}, in file order; fails naming the file when it holds none. */
    public static List<String> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read prompt file " + file + ": " + e.getMessage(), e);
        }
        List<String> prompts = text.stripLeading().startsWith("[") ? fromJson(file, text) : fromLines(text);
        if (prompts.isEmpty()) {
            throw new InvalidInputException("prompt file " + file + " holds no prompts");
        }
        return List.copyOf(prompts);
    }

    private static List<String> fromLines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String p = line.strip();
            if (!p.isEmpty() && !p.startsWith("#")) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<String> fromJson(Path file, String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new InvalidInputException("prompt file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            JsonNode p = e.isTextual() ? e : e.has("caption") ? e.get("caption") : e.get("prompt");
            if (p == null || !p.isTextual()) {
                throw new InvalidInputException("prompt file " + file + ": element " + i
                        + " is neither a string nor an object with a 'caption' or 'prompt' string");
            }
            out.add(p.asText());
        }
        return out;
    }
}
