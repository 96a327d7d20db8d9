package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer of Stable Diffusion, a port of transformers' {@code CLIPTokenizer}
 * as transformers 5 runs it (the {@code tokenizers} pipeline written in the snapshots'
 * {@code tokenizer.json}, which the reference ids in {@code testdata/sd-tiny/tokenizer} come from):
 * <ol>
 *   <li>the special tokens (bos, eos, unk, pad) are cut out of the raw text, case-sensitively;</li>
 *   <li>each remaining segment is NFC-normalised, whitespace runs become one space, and it is
 *       lower-cased (OpenAI's CLIP also runs ftfy first, which neither transformers 5 nor Java has);</li>
 *   <li>it is split into words by CLIP's pattern (contractions, letter runs, single digits,
 *       punctuation runs; whitespace is dropped);</li>
 *   <li>each word's UTF-8 bytes are mapped to printable characters (GPT-2's {@code bytes_to_unicode}),
 *       {@code </w>} marks the last one, and the BPE merges are applied by rank;</li>
 *   <li>{@code <|startoftext|> ids <|endoftext|>}, truncated and padded to {@link #maxLength()}.</li>
 * </ol>
 * The slow Python tokenizer of transformers 4 without ftfy differs from this only on control
 * characters (it deletes them) and CJK ideographs (it makes each one a word of its own).
 * Step 4 is {@link BytePairEncoding}, shared with {@link OpenClipTokenizer}.
 * <p>
 * Thread-safe: the only mutable state is the BPE cache.
 */
public final class ClipTokenizer {

    /** CLIP's context length, used when the snapshot does not configure one. */
    public static final int DEFAULT_MAX_LENGTH = 77;

    /*
     * CLIP's split pattern without its two special-token alternatives: those are matched in the raw
     * text before normalisation, and tokenizers' byte-level step splits a lower-cased
     * "<|ENDOFTEXT|>" into "<|", "endoftext", "|>" exactly as this pattern does. The text is already
     * lower-cased, so no CASE_INSENSITIVE; UNICODE_CHARACTER_CLASS makes \s Unicode White_Space.
     */
    private static final Pattern WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> vocab;
    private final Map<Integer, String> idToToken;
    private final BytePairEncoding bpe;
    /** Special tokens cut out of the raw text, longest first so that the longest match wins. */
    private final List<String> specialTokens;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;

    /**
     * One encoded text: the padded ids, how many of them are real (bos .. closing eos inclusive),
     * and the index of the first eos, whose hidden state is CLIPTextModel's pooled output (see
     * {@link #eosIndex(int[])}); the two differ only when the text itself holds an eos token.
     */
    public record Encoding(int[] ids, int length, int eosIndex) {
        /** 1 for the real tokens, 0 for the padding. */
        public int[] attentionMask() {
            int[] mask = new int[ids.length];
            Arrays.fill(mask, 0, length, 1);
            return mask;
        }
    }

    private ClipTokenizer(Map<String, Integer> vocab, BytePairEncoding.Merges merges, Tokens tokens, int maxLength,
                          Path dir) {
        this.vocab = vocab;
        this.maxLength = maxLength;
        Path vocabFile = dir.resolve("vocab.json");
        this.idToToken = new HashMap<>(vocab.size() * 2);
        vocab.forEach((token, id) -> {
            String other = idToToken.put(id, token);
            if (other != null) {   // BPE on ids and decoding need one token per id
                throw new ModelFormatException(vocabFile + ": id " + id + " is given to both " + other + " and " + token);
            }
        });
        this.bosId = requireId(tokens.bos, "bos_token", vocabFile);
        this.eosId = requireId(tokens.eos, "eos_token", vocabFile);
        this.padId = requireId(tokens.pad, "pad_token", vocabFile);
        this.unkId = requireId(tokens.unk, "unk_token", vocabFile);
        this.bpe = new BytePairEncoding(vocab, merges, unkId);
        Set<String> specials = new LinkedHashSet<>(List.of(tokens.bos, tokens.eos, tokens.unk, tokens.pad));
        List<String> sorted = new ArrayList<>(specials);
        sorted.sort((a, b) -> b.length() - a.length());
        this.specialTokens = List.copyOf(sorted);
    }

    /**
     * Loads a snapshot's {@code tokenizer/} folder: {@code vocab.json} and {@code merges.txt}, and
     * the special tokens and {@code model_max_length} from {@code tokenizer_config.json} and
     * {@code special_tokens_map.json} when present (the latter wins, as in transformers). A
     * {@code model_max_length} that does not fit an int is transformers' "no limit" marker (1e30)
     * and means {@link #DEFAULT_MAX_LENGTH}.
     *
     * @throws ModelFormatException naming the file that is missing or corrupt
     */
    public static ClipTokenizer load(Path tokenizerDir) {
        // vocab.json has ~50k distinct keys: interning them as field names only fills the JVM's string table
        ObjectMapper json = new ObjectMapper(JsonFactory.builder()
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .build());
        Path vocabFile = tokenizerDir.resolve("vocab.json");
        Map<String, Integer> vocab = readVocab(json, vocabFile);
        BytePairEncoding.Merges merges = readMerges(tokenizerDir.resolve("merges.txt"), vocab);

        Tokens tokens = new Tokens();
        int maxLength = DEFAULT_MAX_LENGTH;
        for (String name : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            Path file = tokenizerDir.resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            JsonNode config = readJson(json, file);
            tokens.bos = tokenContent(config, "bos_token", tokens.bos, file);
            tokens.eos = tokenContent(config, "eos_token", tokens.eos, file);
            tokens.unk = tokenContent(config, "unk_token", tokens.unk, file);
            tokens.pad = tokenContent(config, "pad_token", tokens.pad, file);
            JsonNode max = config.get("model_max_length");
            if (max != null && max.isIntegralNumber() && max.canConvertToInt()) {
                if (max.intValue() < 2) {
                    throw new ModelFormatException(file + ": model_max_length " + max + " leaves no room for bos and eos");
                }
                maxLength = max.intValue();
            }
        }
        if (tokens.pad == null) {
            tokens.pad = tokens.eos;   // CLIP has no pad token; transformers pads with eos
        }
        return new ClipTokenizer(vocab, merges, tokens, maxLength, tokenizerDir);
    }

    /** The ids of {@code text}: bos, the text's ids (truncated), eos, then pad up to {@link #maxLength()}. */
    public int[] encode(String text) {
        return encodeWithMask(text).ids();
    }

    /** {@link #encode} of each text, one row each, all of length {@link #maxLength()}. */
    public int[][] encodeBatch(List<String> texts) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i));
        }
        return out;
    }

    /** {@link #encode} together with the number of real tokens, the eos index and the attention mask. */
    public Encoding encodeWithMask(String text) {
        if (text == null) {
            throw new InvalidInputException("text to tokenize is null");
        }
        int budget = maxLength - 2;
        int[] ids = new int[maxLength];
        ids[0] = bosId;
        int n = 1;
        // words are tokenized independently, so once the budget is full the rest of the text cannot
        // change the result: stop there and keep very long prompts cheap
        for (Iterator<String> segments = splitSpecial(text).iterator(); segments.hasNext() && n - 1 < budget; ) {
            String segment = segments.next();
            if (specialTokens.contains(segment)) {   // a segment between specials never equals one
                ids[n++] = vocab.get(segment);
                continue;
            }
            Matcher words = WORDS.matcher(normalize(segment));
            while (n - 1 < budget && words.find()) {
                int[] word = bpe.encode(words.group());
                int take = Math.min(word.length, budget - (n - 1));
                System.arraycopy(word, 0, ids, n, take);
                n += take;
            }
        }
        ids[n++] = eosId;
        Arrays.fill(ids, n, maxLength, padId);
        return new Encoding(ids, n, eosIndex(ids));
    }

    /**
     * The position of the first eos id in {@code ids}: the token whose hidden state CLIPTextModel
     * pools. transformers takes the first eos, or, for text-encoder configs saying eos_token_id 2
     * (SD 1.5's), the argmax of the ids; both are this position, eos being the largest id in CLIP's
     * vocabulary. With pad = eos it is the end of the text, not of the padding.
     */
    public int eosIndex(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eosId) {
                return i;
            }
        }
        throw new InvalidInputException("no eos id " + eosId + " in the token ids " + Arrays.toString(ids));
    }

    /**
     * The text of {@code ids} for debugging: bos is skipped, decoding stops at the first eos, each
     * {@code </w>} becomes a space (so punctuation comes out space-separated, and case is lost).
     */
    public String decode(int[] ids) {
        StringBuilder tokens = new StringBuilder();
        for (int i = 0; i < ids.length && ids[i] != eosId; i++) {
            int id = ids[i];
            String token = idToToken.get(id);
            if (token == null) {
                throw new InvalidInputException("token id " + id + " (at " + i + ") is not in the vocabulary");
            }
            if (i == 0 && id == bosId) {
                continue;
            }
            tokens.append(token);
        }
        return BytePairEncoding.symbolsToText(tokens).replace(BytePairEncoding.END_OF_WORD, " ").strip();
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    /** The length of every encoded row (77 for Stable Diffusion). */
    public int maxLength() {
        return maxLength;
    }

    /** The number of entries in {@code vocab.json}. */
    public int vocabSize() {
        return vocab.size();
    }

    // ---- tokenization ----

    /** The text cut into special tokens and the segments between them (empty segments dropped). */
    private List<String> splitSpecial(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            for (String special : specialTokens) {
                if (text.startsWith(special, i)) {
                    if (i > start) {
                        out.add(text.substring(start, i));
                    }
                    out.add(special);
                    start = i + special.length();
                    i = start - 1;
                    break;
                }
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** tokenizers' normalizer sequence for CLIP: NFC, whitespace runs to one space, lower case. */
    private static String normalize(String segment) {
        String s = WHITESPACE.matcher(Normalizer.normalize(segment, Normalizer.Form.NFC)).replaceAll(" ");
        // per code point, as tokenizers does: full mappings (İ -> i̇) but no context (a final Σ stays σ)
        StringBuilder lower = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> lower.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT)));
        return lower.toString();
    }

    // ---- loading ----

    /** Special token contents; null pad means "same as eos". */
    private static final class Tokens {
        String bos = "<|startoftext|>";
        String eos = "<|endoftext|>";
        String unk = "<|endoftext|>";
        String pad;
    }

    private static Map<String, Integer> readVocab(ObjectMapper json, Path file) {
        JsonNode root = readJson(json, file);
        if (!root.isObject() || root.isEmpty()) {
            throw new ModelFormatException(file + ": expected a non-empty JSON object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw new ModelFormatException(file + ": token " + e.getKey() + " has id " + id + ", not a non-negative int");
            }
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }

    /**
     * merges.txt: an optional "#version" header, then one "left right" pair a line, by rank. Like
     * tokenizers, every merge's parts and result must be in the vocabulary, which is what lets BPE
     * work on ids. A pair listed twice keeps its last rank (as Python's dict and tokenizers do).
     */
    private static BytePairEncoding.Merges readMerges(Path file, Map<String, Integer> vocab) {
        BytePairEncoding.Merges merges = new BytePairEncoding.Merges(BytePairEncoding.CLIP_MERGES);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null && merges.count() < BytePairEncoding.CLIP_MERGES; ) {
                lineNo++;
                if ((lineNo == 1 && line.startsWith("#version")) || line.isBlank()) {
                    continue;
                }
                String[] parts = line.strip().split("\\s+");
                if (parts.length != 2) {
                    throw new ModelFormatException(file + ": line " + lineNo + " is not a pair of symbols: " + line);
                }
                Integer left = vocab.get(parts[0]);
                Integer right = vocab.get(parts[1]);
                Integer merged = vocab.get(parts[0] + parts[1]);
                if (left == null || right == null || merged == null) {
                    throw new ModelFormatException(file + ": line " + lineNo + " (" + line
                            + ") merges symbols that are not all in vocab.json");
                }
                merges.add(left, right, merged);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("missing tokenizer file " + file, e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelFormatException m) {
                throw m;
            }
            throw new ModelFormatException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
        return merges;
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ModelFormatException("corrupt tokenizer file " + file + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new ModelFormatException("missing tokenizer file " + file, e);
            }
            throw new ModelFormatException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A special token in a config: a string, an AddedToken object with "content", or absent. */
    private static String tokenContent(JsonNode config, String key, String fallback, Path file) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").textValue();
        }
        throw new ModelFormatException(file + ": " + key + " is neither a string nor an object with \"content\": " + node);
    }

    private int requireId(String token, String role, Path vocabFile) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new ModelFormatException(vocabFile + ": the " + role + " " + token + " is not in the vocabulary");
        }
        return id;
    }
}
