package dev.tailorpo.diffusion.models.clip;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * open_clip's tokenizer ({@code open_clip.tokenize}, {@code SimpleTokenizer} of open_clip 2.16.0),
 * the one HPSv2 uses, on OpenAI's BPE file {@code bpe_simple_vocab_16e6.txt.gz}:
 * <ol>
 *   <li>the text is cleaned: {@code ftfy.fix_text} ({@link FtfyFixes}, without mojibake repair),
 *       {@code html.unescape} twice ({@link HtmlEntities}), whitespace runs to one space, stripped,
 *       lower-cased ({@link PythonCase});</li>
 *   <li>it is split into words by CLIP's pattern (the two special-token texts, contractions,
 *       letter runs, single digits, punctuation runs; whitespace is dropped);</li>
 *   <li>a word that is literally {@code <start_of_text>} or {@code <end_of_text>} is that token
 *       (open_clip finds them in its BPE cache); any other goes through {@link BytePairEncoding};</li>
 *   <li>{@code <start_of_text> ids <end_of_text>}; longer than the context length, it keeps the
 *       first {@code contextLength} ids with the last one set to {@code <end_of_text>}; shorter, it
 *       is padded with 0 (the id of "!"; under the text model's causal mask the pooled end token
 *       never sees the padding).</li>
 * </ol>
 * Unlike transformers' CLIP tokenizer ({@link ClipTokenizer}), special tokens are found after
 * cleaning and lower-casing, and padding is 0, not the end token.
 * <p>
 * The vocabulary is built from the merge list, as open_clip does: the 256 byte symbols (in
 * {@code bytes_to_unicode} order), the same with {@code </w>}, the concatenation of each of the
 * first {@value BytePairEncoding#CLIP_MERGES} merges after the header line, then
 * {@code <start_of_text>} and {@code <end_of_text>}: 49408 ids.
 * <p>
 * Thread-safe: the only mutable state is the BPE cache.
 */
public final class OpenClipTokenizer {

    /** open_clip's default context length. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    private static final String START_OF_TEXT = "<start_of_text>";
    private static final String END_OF_TEXT = "<end_of_text>";
    /** The 256 byte symbols come twice, alone and ending a word, before the merges. */
    private static final int FIRST_MERGE_ID = 2 * 256;

    /*
     * open_clip's pattern, which the regex module runs with IGNORECASE on the lower-cased text. Case
     * folding still lets a literal part match 'ſ' for 's' ("<ſtart_of_text>", "'ſ"), and it makes
     * U+0345 (which folds to ι) match neither the letters nor the negated class, so Python drops it;
     * on every other code point the two patterns agree. UNICODE_CHARACTER_CLASS makes \s Unicode
     * White_Space, as in the regex module.
     */
    private static final Pattern WORDS = Pattern.compile(
            "(?iu:" + Pattern.quote(START_OF_TEXT) + "|" + Pattern.quote(END_OF_TEXT) + "|'s|'t|'re|'ve|'m|'ll|'d)"
                    + "|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}\\u0345]+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    /** id -> vocabulary string. */
    private final String[] tokens;
    private final int vocabSize;
    private final BytePairEncoding bpe;
    private final int sotId;
    private final int eotId;
    private final int contextLength;

    private OpenClipTokenizer(String[] tokens, int vocabSize, BytePairEncoding bpe, int sotId, int eotId,
                              int contextLength) {
        this.tokens = tokens;
        this.vocabSize = vocabSize;
        this.bpe = bpe;
        this.sotId = sotId;
        this.eotId = eotId;
        this.contextLength = contextLength;
    }

    /** {@link #load(Path, int)} with the context length 77. */
    public static OpenClipTokenizer load(Path bpeVocabGz) {
        return load(bpeVocabGz, DEFAULT_CONTEXT_LENGTH);
    }

    /**
     * Reads open_clip's gzipped merge list ({@code bpe_simple_vocab_16e6.txt.gz}); only its first
     * {@value BytePairEncoding#CLIP_MERGES} merges are read.
     *
     * @throws ModelFormatException naming the file when it is missing, unreadable, not gzip, not
     *                              UTF-8, or has fewer merges or a line that is not a pair
     * @throws InvalidInputException if {@code contextLength} leaves no room for the two special tokens
     */
    public static OpenClipTokenizer load(Path bpeVocabGz, int contextLength) {
        if (contextLength < 2) {
            throw new InvalidInputException("contextLength " + contextLength
                    + " leaves no room for " + START_OF_TEXT + " and " + END_OF_TEXT);
        }
        List<String[]> merges = readMerges(bpeVocabGz);
        String[] tokens = vocabulary(merges);
        Map<String, Integer> ids = new HashMap<>(2 * tokens.length);
        for (int id = 0; id < tokens.length; id++) {
            ids.put(tokens[id], id);   // a string listed twice keeps its last id, as Python's dict(zip(...)) does
        }
        BytePairEncoding.Merges ranked = new BytePairEncoding.Merges(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] merge = merges.get(rank);
            Integer left = ids.get(merge[0]);
            Integer right = ids.get(merge[1]);
            if (left == null || right == null) {
                throw new ModelFormatException(bpeVocabGz + ": line " + (rank + 2) + " (" + merge[0] + " " + merge[1]
                        + ") merges a symbol that is neither a byte nor the result of a merge");
            }
            ranked.add(left, right, ids.get(tokens[FIRST_MERGE_ID + rank]));
        }
        // every byte symbol is in the vocabulary, so the BPE never needs an unknown id
        BytePairEncoding bpe = new BytePairEncoding(ids, ranked, -1);
        return new OpenClipTokenizer(tokens, ids.size(), bpe, ids.get(START_OF_TEXT), ids.get(END_OF_TEXT),
                contextLength);
    }

    /**
     * {@code open_clip.tokenize(text, contextLength)}: {@link #contextLength()} ids, the start
     * token, the text's ids, the end token (the last id when the text is too long), then zeros.
     *
     * @throws InvalidInputException if {@code text} is null
     */
    public int[] encode(String text) {
        int[] row = new int[contextLength];
        row[0] = sotId;
        // tokenize keeps the first contextLength - 2 of the text's ids whether it truncates or not
        List<Integer> ids = textIds(text, contextLength - 2);
        for (int i = 0; i < ids.size(); i++) {
            row[1 + i] = ids.get(i);
        }
        row[1 + ids.size()] = eotId;
        return row;
    }

    /** {@link #encode} of each text, one row each. */
    public int[][] encodeBatch(List<String> texts) {
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encode(texts.get(i));
        }
        return rows;
    }

    /** The start token, every id of the text, the end token: what {@link #encode} truncates and pads. */
    public int[] untruncatedIds(String text) {
        List<Integer> ids = textIds(text, Integer.MAX_VALUE);
        int[] out = new int[ids.size() + 2];
        out[0] = sotId;
        for (int i = 0; i < ids.size(); i++) {
            out[1 + i] = ids.get(i);
        }
        out[out.length - 1] = eotId;
        return out;
    }

    /** The vocabulary strings of the text's ids (open_clip's {@code bpe()} output; {@code </w>} ends a word). */
    public List<String> bpeTokens(String text) {
        List<String> out = new ArrayList<>();
        for (int id : textIds(text, Integer.MAX_VALUE)) {
            out.add(tokens[id]);
        }
        return out;
    }

    /** The id of {@code <start_of_text>} (49406 with the real vocabulary). */
    public int sotId() {
        return sotId;
    }

    /** The id of {@code <end_of_text>} (49407), the largest id: the text model pools at argmax(ids). */
    public int eotId() {
        return eotId;
    }

    /** The padding id: open_clip pads with zeros. */
    public int padId() {
        return 0;
    }

    /** The length of every encoded row. */
    public int contextLength() {
        return contextLength;
    }

    /** The number of distinct vocabulary strings (49408). */
    public int vocabSize() {
        return vocabSize;
    }

    // ---- tokenization ----

    /** The ids of the cleaned text's words, at most {@code limit} of them. */
    private List<Integer> textIds(String text, int limit) {
        if (text == null) {
            throw new InvalidInputException("text to tokenize is null");
        }
        List<Integer> ids = new ArrayList<>();
        Matcher words = WORDS.matcher(clean(text));
        while (ids.size() < limit && words.find()) {
            String word = words.group();
            if (word.equals(START_OF_TEXT)) {
                ids.add(sotId);
            } else if (word.equals(END_OF_TEXT)) {
                ids.add(eotId);
            } else {
                for (int id : bpe.encode(word)) {
                    if (ids.size() < limit) {
                        ids.add(id);
                    }
                }
            }
        }
        return ids;
    }

    /** open_clip's {@code whitespace_clean(basic_clean(text)).lower()}, without ftfy's mojibake repair. */
    static String clean(String text) {
        String s = FtfyFixes.fixText(text);
        s = HtmlEntities.unescape(HtmlEntities.unescape(s));
        // Python strips, collapses, strips again; once White_Space runs are single spaces, one
        // String.strip does both (it also takes \x1c-\x1f, the rest of what Python's strip takes)
        s = WHITESPACE.matcher(s).replaceAll(" ").strip();
        return PythonCase.lower(s);
    }

    // ---- loading ----

    /** open_clip's vocabulary: the byte symbols, the same ending a word, each merge's result, the two specials. */
    private static String[] vocabulary(List<String[]> merges) {
        char[] byteSymbols = BytePairEncoding.byteSymbolsInVocabularyOrder();
        String[] tokens = new String[FIRST_MERGE_ID + merges.size() + 2];
        int n = 0;
        for (char c : byteSymbols) {
            tokens[n++] = String.valueOf(c);
        }
        for (char c : byteSymbols) {
            tokens[n++] = c + BytePairEncoding.END_OF_WORD;
        }
        for (String[] merge : merges) {
            tokens[n++] = merge[0] + merge[1];
        }
        tokens[n++] = START_OF_TEXT;
        tokens[n] = END_OF_TEXT;
        return tokens;
    }

    /** Lines 2 .. {@value BytePairEncoding#CLIP_MERGES} + 1 of the file, each split into its two symbols; the rest is checked, not kept. */
    private static List<String[]> readMerges(Path file) {
        List<String[]> merges = new ArrayList<>(BytePairEncoding.CLIP_MERGES);
        // a strict decoder: Python's decode("utf-8") refuses malformed bytes
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8.newDecoder()), 1 << 16)) {
            in.readLine();   // the header ("bpe_simple_vocab_16e6.txt#version: 0.2")
            int lineNo = 1;
            for (String line; merges.size() < BytePairEncoding.CLIP_MERGES && (line = in.readLine()) != null; ) {
                lineNo++;
                // Python's merge.split(); a symbol holding other whitespace is refused in load, as no
                // byte symbol or merge result holds any
                String pair = line.strip();
                int space = pair.indexOf(' ');
                if (space <= 0 || pair.indexOf(' ', space + 1) >= 0) {
                    throw new ModelFormatException(file + ": line " + lineNo + " is not a pair of symbols: " + line);
                }
                merges.add(new String[] {pair.substring(0, space), pair.substring(space + 1)});
            }
            // Python decodes the whole file, so a truncated or corrupt tail fails there too (gzip
            // checks its CRC at the end); reading the unused 80% costs about 25 ms
            char[] rest = new char[1 << 16];
            while (in.read(rest) >= 0) {
                // drained
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("missing open_clip BPE vocabulary " + file, e);
        } catch (ZipException e) {
            throw new ModelFormatException(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new ModelFormatException(file + ": the gzip stream is truncated", e);
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file + ": not UTF-8 text (" + e + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read open_clip BPE vocabulary " + file + ": " + e.getMessage(), e);
        }
        if (merges.size() < BytePairEncoding.CLIP_MERGES) {
            throw new ModelFormatException(file + ": " + merges.size() + " merges after the header line; open_clip reads "
                    + BytePairEncoding.CLIP_MERGES);
        }
        return merges;
    }
}
