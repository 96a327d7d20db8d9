package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailorpo.diffusion.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes the files of a CLIP BPE tokenizer ({@code vocab.json}, {@code merges.txt},
 * {@code tokenizer_config.json}, {@code special_tokens_map.json}) for a small closed vocabulary,
 * by training byte-level BPE on the given words until every word is one token. A tokenizer made
 * this way is read by {@link ClipTokenizer} exactly like SD's, so the shapes world's text encoder
 * uses the same code path as a real download.
 *
 * <p>The vocabulary is laid out as CLIP's: the 256 byte symbols, the same with {@code </w>}, the
 * merge results in merge order, then {@code <|startoftext|>} and {@code <|endoftext|>}. Training
 * merges the most frequent adjacent pair (ties broken by the pair's text, for determinism);
 * applying the merges by rank reproduces the training segmentation, so each training word encodes
 * to a single id.
 */
public final class ClipVocabularyBuilder {
    private static final String END = BytePairEncoding.END_OF_WORD;
    private static final String BOS = "<|startoftext|>";
    private static final String EOS = "<|endoftext|>";

    private ClipVocabularyBuilder() {}

    /** Trains the merges for {@code words} and writes the tokenizer folder {@code dir}. */
    public static void write(Path dir, Collection<String> words, int maxLength) {
        char[] table = BytePairEncoding.bytesToUnicode();
        List<List<String>> corpus = new ArrayList<>();
        for (String w : new TreeSet<>(words)) {
            byte[] bytes = w.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8);
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                String s = String.valueOf(table[bytes[i] & 0xff]);
                symbols.add(i == bytes.length - 1 ? s + END : s);
            }
            corpus.add(symbols);
        }
        List<String[]> merges = train(corpus);

        Map<String, Integer> vocab = new LinkedHashMap<>();
        char[] order = BytePairEncoding.byteSymbolsInVocabularyOrder();
        for (char c : order) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (char c : order) {
            vocab.put(c + END, vocab.size());
        }
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        vocab.put(BOS, vocab.size());
        vocab.put(EOS, vocab.size());

        StringBuilder mergeText = new StringBuilder("#version: 0.2\n");
        merges.forEach(m -> mergeText.append(m[0]).append(' ').append(m[1]).append('\n'));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("bos_token", BOS);
        config.put("eos_token", EOS);
        config.put("unk_token", EOS);
        config.put("pad_token", EOS);
        config.put("model_max_length", maxLength);
        config.put("do_lower_case", true);
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", BOS);
        special.put("eos_token", EOS);
        special.put("unk_token", EOS);
        special.put("pad_token", EOS);

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(dir.resolve("vocab.json"), out -> out.write(json.writeValueAsBytes(vocab)));
        AtomicFiles.writeString(dir.resolve("merges.txt"), mergeText.toString());
        AtomicFiles.write(dir.resolve("tokenizer_config.json"), out -> out.write(json.writeValueAsBytes(config)));
        AtomicFiles.write(dir.resolve("special_tokens_map.json"), out -> out.write(json.writeValueAsBytes(special)));
    }

    /** Greedy BPE training: merges in order until no word has two symbols left. */
    private static List<String[]> train(List<List<String>> corpus) {
        List<String[]> merges = new ArrayList<>();
        while (true) {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (List<String> w : corpus) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    counts.merge(w.get(i) + " " + w.get(i + 1), 1, Integer::sum);
                }
            }
            if (counts.isEmpty()) {
                return merges;
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {   // sorted: ties go to the first
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            String[] pair = best.split(" ", 2);
            merges.add(pair);
            for (List<String> w : corpus) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i).equals(pair[0]) && w.get(i + 1).equals(pair[1])) {
                        w.set(i, pair[0] + pair[1]);
                        w.remove(i + 1);
                    }
                }
            }
        }
    }
}
