package dev.tailorpo.eval.gen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A named list of prompts read from a file: a text file with one prompt a line (surrounding
 * whitespace trimmed; blank lines and lines starting with {@code #} skipped), or a {@code .json}
 * file holding an array of strings or of objects with a {@code caption} or {@code prompt} field
 * (SPO's Pick-a-Pic prompt list has this form). The name is the file name without its extension,
 * e.g. {@code shapes_train}.
 */
public record PromptFile(String name, List<String> prompts) {
    public PromptFile {
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) {
            throw new InvalidInputException("prompt set '" + name + "' is empty");
        }
    }

    /** Reads {@code file}; the error names the file (and the entry) at fault. */
    public static PromptFile read(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String name = dot > 0 ? fileName.substring(0, dot) : fileName;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("prompt file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompt file " + file, e);
        }
        List<String> prompts = fileName.toLowerCase(Locale.ROOT).endsWith(".json") ? fromJson(file, text) : fromLines(text);
        if (prompts.isEmpty()) {
            throw new InvalidInputException("prompt file " + file + " holds no prompts");
        }
        return new PromptFile(name, prompts);
    }

    /** The first {@code k} prompts (all when there are fewer). */
    public PromptFile first(int k) {
        if (k < 1) {
            throw new InvalidInputException("the number of prompts to take must be >= 1, got " + k);
        }
        return k >= prompts.size() ? this : new PromptFile(name, prompts.subList(0, k));
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException("prompt file " + file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new InvalidInputException("prompt file " + file + " should hold a JSON array of prompts");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode n = root.get(i);
            JsonNode v = n.isObject() ? (n.has("caption") ? n.get("caption") : n.get("prompt")) : n;
            if (v == null || !v.isTextual()) {
                throw new InvalidInputException("prompt file " + file + ", entry " + i
                        + ": expected a string or an object with a 'caption' or 'prompt' string");
            }
            out.add(v.asText().strip());
        }
        return out;
    }
}
