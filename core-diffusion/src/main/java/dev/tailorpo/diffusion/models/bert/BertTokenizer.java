package dev.tailorpo.diffusion.models.bert;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The uncased BERT WordPiece tokenizer of BLIP's text encoder (ImageReward), a port of the slow
 * {@code BertTokenizer} of transformers 4.30.2 (lower-casing, accents stripped) as BLIP's
 * {@code init_tokenizer} sets it up: {@code from_pretrained}, then {@code [DEC]} added as bos and
 * {@code [ENC]} as an additional special token, called with {@code padding='max_length',
 * truncation=True, max_length=N}:
 * <ol>
 *   <li>the text outside the special tokens ({@code [PAD] [UNK] [CLS] [SEP] [MASK]} and the
 *       added ones, matched case-sensitively) is lower-cased one character at a time
 *       (transformers' {@code PreTrainedTokenizer.tokenize} does this before BERT's own steps; a
 *       character alone has no context, so a final capital sigma becomes σ, not ς);</li>
 *   <li>the special tokens are cut out, each standing for its own id;</li>
 *   <li>{@link BasicTokenizer} makes words of the text between them, {@link WordPiece} pieces of
 *       each word;</li>
 *   <li>{@code [CLS] pieces [SEP]}, pieces dropped from the end to fit {@link #maxLength()},
 *       then {@code [PAD]} up to it.</li>
 * </ol>
 * Ids: a vocabulary token's is its line index in {@code vocab.txt}; tokens added after the
 * vocabulary follow it in order. Immutable, so thread-safe.
 */
public final class BertTokenizer {

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    /** BLIP's decoder start token, added as bos. */
    public static final String DEC = "[DEC]";
    /** BLIP's encoder token, added as an additional special token (its ITM head puts it in place of [CLS]). */
    public static final String ENC = "[ENC]";

    /** The tokens a vocabulary must hold for {@link #encode} to work. */
    private static final List<String> REQUIRED = List.of(PAD, UNK, CLS, SEP);

    /**
     * One encoded text: {@code ids} and {@code attentionMask} of length {@link #maxLength()}, the
     * number of real tokens ([CLS] to [SEP]) and how many there would be without truncation.
     */
    public record Encoding(int[] ids, int[] attentionMask, int length, int untruncatedLength) {}

    private final Map<String, Integer> ids;
    private final int vocabSize;
    /** Cut out of the raw text, longest first so that the longest match wins (transformers' trie). */
    private final List<String> specialTokens;
    private final BasicTokenizer basic;
    private final WordPiece wordPiece;
    private final int padId;
    private final int clsId;
    private final int sepId;
    private final int maxLength;

    private BertTokenizer(Map<String, Integer> ids, int vocabSize, Set<String> specialTokens, WordPiece wordPiece,
                          int maxLength) {
        this.ids = ids;
        this.vocabSize = vocabSize;
        List<String> sorted = new ArrayList<>(specialTokens);
        sorted.sort((a, b) -> b.length() - a.length());
        this.specialTokens = List.copyOf(sorted);
        this.basic = new BasicTokenizer(Set.copyOf(specialTokens));
        this.wordPiece = wordPiece;
        this.padId = ids.get(PAD);
        this.clsId = ids.get(CLS);
        this.sepId = ids.get(SEP);
        this.maxLength = maxLength;
    }

    /**
     * Reads {@code vocabFile} (one token a line, UTF-8) and adds {@code addedSpecialTokens} after
     * the vocabulary, in order; one already in the vocabulary keeps its id there. Every encoding
     * has {@code maxLength} ids.
     *
     * @throws ModelFormatException the file is missing, unreadable, empty or lacks [PAD], [UNK], [CLS] or [SEP]
     * @throws InvalidInputException {@code maxLength} is below 2 or an added token is null or empty
     */
    public static BertTokenizer load(Path vocabFile, int maxLength, List<String> addedSpecialTokens) {
        if (maxLength < 2) {
            throw new InvalidInputException("maxLength " + maxLength + " leaves no room for " + CLS + " and " + SEP
                    + "; it must be at least 2");
        }
        if (addedSpecialTokens == null) {
            throw new InvalidInputException("addedSpecialTokens is null");
        }
        for (int i = 0; i < addedSpecialTokens.size(); i++) {
            String token = addedSpecialTokens.get(i);
            if (token == null || token.isEmpty()) {
                throw new InvalidInputException("addedSpecialTokens[" + i + "] is " + (token == null ? "null" : "empty"));
            }
        }
        Map<String, Integer> vocab = readVocab(vocabFile);
        List<String> missing = REQUIRED.stream().filter(t -> !vocab.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            throw new ModelFormatException(vocabFile + ": the vocabulary has no " + String.join(", ", missing));
        }

        Map<String, Integer> ids = new HashMap<>(vocab);
        // transformers' from_pretrained adds every special token missing from the vocabulary after
        // it ([MASK] is the only one that can be: the others are required), then the caller's
        List<String> toAdd = new ArrayList<>();
        toAdd.add(MASK);
        toAdd.addAll(addedSpecialTokens);
        for (String token : toAdd) {
            // the number of distinct tokens, not of lines: with a duplicated line, added ids fall
            // on ids of vocabulary lines, exactly as in transformers
            ids.putIfAbsent(token, ids.size());
        }
        Set<String> specials = new LinkedHashSet<>(List.of(UNK, SEP, PAD, CLS, MASK));
        specials.addAll(addedSpecialTokens);
        return new BertTokenizer(Map.copyOf(ids), ids.size(), specials,
                new WordPiece(Set.copyOf(vocab.keySet()), UNK), maxLength);
    }

    /** {@link #load} with BLIP's added tokens, {@link #DEC} then {@link #ENC}. */
    public static BertTokenizer forBlip(Path vocabFile, int maxLength) {
        return load(vocabFile, maxLength, List.of(DEC, ENC));
    }

    /** {@code [CLS] pieces [SEP]}, truncated and padded to {@link #maxLength()}, with its attention mask. */
    public Encoding encode(String text) {
        List<String> pieces = tokenize(text);
        int kept = Math.min(pieces.size(), maxLength - 2);
        int[] out = new int[maxLength];
        out[0] = clsId;
        for (int i = 0; i < kept; i++) {
            out[1 + i] = ids.get(pieces.get(i));
        }
        out[kept + 1] = sepId;
        Arrays.fill(out, kept + 2, maxLength, padId);
        int[] mask = new int[maxLength];
        Arrays.fill(mask, 0, kept + 2, 1);
        return new Encoding(out, mask, kept + 2, pieces.size() + 2);
    }

    /** {@link #encode} of each text. */
    public List<Encoding> encodeBatch(List<String> texts) {
        if (texts == null) {
            throw new InvalidInputException("texts to tokenize is null");
        }
        return texts.stream().map(this::encode).toList();
    }

    /**
     * The tokens of {@code text} as transformers' {@code tokenize} gives them: vocabulary pieces,
     * {@code [UNK]} and special tokens, without [CLS], [SEP] or truncation.
     */
    public List<String> tokenize(String text) {
        if (text == null) {
            throw new InvalidInputException("text to tokenize is null");
        }
        // lower-cased before the special tokens are cut out, as in transformers: an added token in
        // lower case (none of BLIP's) is therefore found in any case
        String lowered = lowerOutsideSpecialTokens(text);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < lowered.length(); ) {
            String special = specialAt(lowered, i);
            if (special == null) {
                i++;
                continue;
            }
            pieces(lowered.substring(start, i), out);
            out.add(special);
            i += special.length();
            start = i;
        }
        pieces(lowered.substring(start), out);
        return out;
    }

    /** The id of a vocabulary or added token. */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new InvalidInputException("token " + token + " is neither in the vocabulary nor added");
        }
        return id;
    }

    /** Vocabulary entries plus added tokens: transformers' {@code len(tokenizer)}, the embedding rows BLIP makes. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The length of every encoding (35 for ImageReward). */
    public int maxLength() {
        return maxLength;
    }

    private String specialAt(String text, int i) {
        for (String special : specialTokens) {
            if (text.startsWith(special, i)) {
                return special;
            }
        }
        return null;
    }

    private void pieces(String segment, List<String> out) {
        if (segment.isEmpty()) {
            return;
        }
        List<String> words = new ArrayList<>();
        basic.words(segment, words);
        for (String word : words) {
            wordPiece.split(word, out);
        }
    }

    /**
     * Each character lower-cased on its own, special tokens copied as they are. transformers does
     * this with a regex whose alternatives are tried in list order; here the longest token wins,
     * which differs only when one special token begins another.
     */
    private String lowerOutsideSpecialTokens(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            String special = specialAt(text, i);
            if (special != null) {
                out.append(special);
                i += special.length();
                continue;
            }
            int cp = text.codePointAt(i);
            if (cp < 0x80) {
                out.append((char) Character.toLowerCase(cp));
            } else {
                // the String form for full mappings (İ -> i + combining dot), as Python's lower()
                out.append(Character.toString(cp).toLowerCase(Locale.ROOT));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * vocab.txt as transformers' {@code load_vocab} reads it: lines split at \n, \r\n or \r
     * (Python's universal newlines), each line a token, its index the id. A token listed twice
     * keeps its last index, as the dict load_vocab fills does.
     */
    private static Map<String, Integer> readVocab(Path file) {
        Map<String, Integer> vocab = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int index = 0;
            for (String line; (line = in.readLine()) != null; index++) {
                vocab.put(line, index);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("missing vocabulary file " + file, e);
        } catch (CharacterCodingException e) {
            throw new ModelFormatException("vocabulary file " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read vocabulary file " + file + ": " + e.getMessage(), e);
        }
        if (vocab.isEmpty()) {
            throw new ModelFormatException(file + ": the vocabulary is empty");
        }
        return vocab;
    }
}
