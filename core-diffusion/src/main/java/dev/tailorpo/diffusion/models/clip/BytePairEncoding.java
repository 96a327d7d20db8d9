package dev.tailorpo.diffusion.models.clip;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE, shared by {@link ClipTokenizer} (transformers) and
 * {@link OpenClipTokenizer} (open_clip): a word's UTF-8 bytes become printable symbols (GPT-2's
 * {@code bytes_to_unicode}), the last one marked with {@code </w>}, and the merges are applied by
 * rank. It runs on vocabulary ids, never on strings: each merge is stored as its two parts' ids
 * and the id of their concatenation.
 * <p>
 * Thread-safe: the only mutable state is the bounded cache of encoded words.
 */
final class BytePairEncoding {

    /** Marks the last symbol of a word. */
    static final String END_OF_WORD = "</w>";

    /**
     * How many merges OpenAI's CLIP, transformers and open_clip read at most: 49152 ids less the
     * 256 byte symbols and the 2 special tokens (the byte symbols with {@code </w>} come on top).
     */
    static final int CLIP_MERGES = 49152 - 256 - 2;

    private static final int CACHE_CAPACITY = 100_000;

    /** GPT-2's reversible byte -> printable character table. */
    private static final char[] BYTE_TO_CHAR = bytesToUnicode();
    /** Its inverse, indexed by character (all of them are below 512); -1 where none. */
    private static final int[] CHAR_TO_BYTE = invert(BYTE_TO_CHAR);

    /** (left id << 32 | right id) -> (rank << 32 | merged id). */
    private final Map<Long, Long> merges;
    /** Vocabulary id of each byte's character, alone and as the last symbol of a word; -1 if absent. */
    private final int[] byteId = new int[256];
    private final int[] byteEndId = new int[256];
    private final int unknownId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab     symbol -> id; the byte symbols missing from it (only in a hand-made
     *                  vocabulary) encode as {@code unknownId}
     * @param merges    the merges by rank, over ids of the same vocabulary
     * @param unknownId the id of a symbol outside the vocabulary
     */
    BytePairEncoding(Map<String, Integer> vocab, Merges merges, int unknownId) {
        this.merges = merges.byPair;
        this.unknownId = unknownId;
        for (int b = 0; b < 256; b++) {
            byteId[b] = vocab.getOrDefault(String.valueOf(BYTE_TO_CHAR[b]), -1);
            byteEndId[b] = vocab.getOrDefault(BYTE_TO_CHAR[b] + END_OF_WORD, -1);
        }
    }

    /** The merges of a vocabulary in rank order (the order of {@link #add}). */
    static final class Merges {
        private final Map<Long, Long> byPair;
        private int rank;

        Merges(int expected) {
            byPair = new HashMap<>(2 * expected);
        }

        /** The next-ranked merge; a pair listed twice keeps its last rank, as Python's dict does. */
        void add(int left, int right, int merged) {
            byPair.put(pair(left, right), ((long) rank++ << 32) | merged);
        }

        /** How many merges were added (duplicates included). */
        int count() {
            return rank;
        }
    }

    /**
     * The ids of one word (its text, not yet byte-mapped). The array is shared with the cache:
     * callers copy it, never change it.
     */
    int[] encode(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            symbols[i] = i == bytes.length - 1 ? byteEndId[b] : byteId[b];
        }
        int n = symbols.length;
        while (n > 1) {
            // the lowest-ranked adjacent pair, then every non-overlapping occurrence of it left to
            // right, as the Python bpe() of transformers and open_clip does
            long best = Long.MAX_VALUE;
            int left = -1;
            int right = -1;
            for (int i = 0; i + 1 < n; i++) {
                Long merge = merges.get(pair(symbols[i], symbols[i + 1]));
                if (merge != null && merge < best) {
                    best = merge;
                    left = symbols[i];
                    right = symbols[i + 1];
                }
            }
            if (left < 0) {
                break;
            }
            int merged = (int) best;
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && symbols[i] == left && symbols[i + 1] == right) {
                    symbols[w++] = merged;
                    i++;
                } else {
                    symbols[w++] = symbols[i];
                }
            }
            n = w;
        }
        int[] ids = Arrays.copyOf(symbols, n);
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0) {
                ids[i] = unknownId;
            }
        }
        if (cache.size() < CACHE_CAPACITY) {   // bounded: prompts are open-ended
            cache.put(word, ids);
        }
        return ids;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    // ---- GPT-2's byte <-> character table ----

    /**
     * Printable bytes map to themselves; the others (controls, space, 0x7f-0xa0, 0xad) to 256, 257, ...
     * in byte order, so that no symbol is whitespace or a control character.
     */
    static char[] bytesToUnicode() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }

    /**
     * The byte symbols in the order CLIP's vocabulary lists them (the order of the Python dict
     * {@code bytes_to_unicode()}): the printable bytes, then the others, each group in byte order.
     */
    static char[] byteSymbolsInVocabularyOrder() {
        char[] order = new char[256];
        int n = 0;
        for (boolean printable : new boolean[] {true, false}) {
            for (int b = 0; b < 256; b++) {
                if ((BYTE_TO_CHAR[b] == b) == printable) {
                    order[n++] = BYTE_TO_CHAR[b];
                }
            }
        }
        return order;
    }

    /**
     * The text of a run of symbols (the bytes they stand for, read as UTF-8); a character outside
     * the byte table, which only a hand-made vocabulary can hold, becomes '?'.
     */
    static String symbolsToText(CharSequence symbols) {
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = symbols.charAt(i);
            bytes[i] = (byte) (c < CHAR_TO_BYTE.length && CHAR_TO_BYTE[c] >= 0 ? CHAR_TO_BYTE[c] : '?');
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int[] invert(char[] table) {
        int[] inverse = new int[512];
        Arrays.fill(inverse, -1);
        for (int b = 0; b < table.length; b++) {
            inverse[table[b]] = b;
        }
        return inverse;
    }
}
