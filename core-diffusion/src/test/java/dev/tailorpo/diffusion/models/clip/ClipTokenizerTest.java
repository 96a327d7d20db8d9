package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {

    private static final Path DIR = TestData.sdTiny("tokenizer");
    private static final int BOS = 672;
    private static final int EOS = 673;

    private final ClipTokenizer tokenizer = ClipTokenizer.load(DIR);

    @Test
    void matchesTransformersOnEveryReferenceCase() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
        assertEquals(reference.get("max_length").intValue(), tokenizer.maxLength());
        int cases = 0;
        for (JsonNode c : reference.get("cases")) {
            String text = c.get("text").textValue();
            int[] expected = new int[c.get("input_ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("input_ids").get(i).intValue();
            }
            assertArrayEquals(expected, tokenizer.encode(text), "ids of \"" + text + "\"");
            cases++;
        }
        assertEquals(6, cases);
    }

    @Test
    void specialIdsAndDefaultsComeFromTheSnapshot() {
        assertEquals(BOS, tokenizer.bosId());
        assertEquals(EOS, tokenizer.eosId());
        assertEquals(EOS, tokenizer.padId());   // pad_token is <|endoftext|>
        assertEquals(EOS, tokenizer.unkId());
        // tokenizer_config.json says model_max_length 1e30, transformers' "unlimited": CLIP's 77 holds
        assertEquals(77, tokenizer.maxLength());
        assertEquals(674, tokenizer.vocabSize());
    }

    @Test
    void emptyTextIsBosThenEos() {
        ClipTokenizer.Encoding e = tokenizer.encodeWithMask("");
        int[] expected = new int[77];
        Arrays.fill(expected, EOS);
        expected[0] = BOS;
        assertArrayEquals(expected, e.ids());
        assertEquals(1, e.eosIndex());
        assertEquals(2, Arrays.stream(e.attentionMask()).sum());
        assertArrayEquals(e.ids(), tokenizer.encode("  \t\n "));   // whitespace only is empty too
    }

    @Test
    void longTextIsTruncatedKeepingEosLast() {
        int[] word = content(tokenizer.encode("a photo of a cat"));   // 5 ids
        ClipTokenizer.Encoding e = tokenizer.encodeWithMask("a photo of a cat ".repeat(1000));
        int[] ids = e.ids();
        assertEquals(77, ids.length);
        assertEquals(BOS, ids[0]);
        assertEquals(EOS, ids[76]);
        for (int i = 1; i < 76; i++) {
            assertEquals(word[(i - 1) % word.length], ids[i], "id " + i);
        }
        assertEquals(76, e.eosIndex());
        assertEquals(76, tokenizer.eosIndex(ids));
        assertEquals(77, Arrays.stream(e.attentionMask()).sum());
    }

    @Test
    void eosIndexAndMaskMarkTheRealTokens() {
        ClipTokenizer.Encoding e = tokenizer.encodeWithMask("a photo of a cat");
        assertEquals(6, e.eosIndex());   // bos + 5 word ids
        assertEquals(EOS, e.ids()[6]);
        assertEquals(6, tokenizer.eosIndex(e.ids()));   // the first eos, not the padding's
        assertArrayEquals(IntStream.range(0, 77).map(i -> i <= 6 ? 1 : 0).toArray(), e.attentionMask());
    }

    @Test
    void batchEncodesEachText() {
        int[][] batch = tokenizer.encodeBatch(List.of("a photo of a cat", ""));
        assertEquals(2, batch.length);
        assertArrayEquals(tokenizer.encode("a photo of a cat"), batch[0]);
        assertArrayEquals(tokenizer.encode(""), batch[1]);
    }

    @Test
    void decodeRecoversLowerCasedWords() {
        for (String text : List.of("A Photo of a CAT", "a small red circle on a black background", "naïve café")) {
            assertEquals(text.toLowerCase(), tokenizer.decode(tokenizer.encode(text)));
        }
        // punctuation is a word of its own, so it comes back space-separated
        assertEquals("a bike !", tokenizer.decode(tokenizer.encode("a bike!")));
    }

    @Test
    void specialTokensInTheTextAreKeptWhole() {
        int[] a = content(tokenizer.encode("a"));
        int[] cat = content(tokenizer.encode("cat"));
        int[] ids = tokenizer.encode("a<|endoftext|>cat");
        int[] expected = new int[77];
        Arrays.fill(expected, EOS);
        int n = 0;
        expected[n++] = BOS;
        for (int id : a) {
            expected[n++] = id;
        }
        expected[n++] = EOS;
        for (int id : cat) {
            expected[n++] = id;
        }
        assertArrayEquals(expected, ids);
        // only the exact (case-sensitive) text is special: upper case is lower-cased and split as punctuation and letters
        int[] upper = content(tokenizer.encode("<|ENDOFTEXT|>"));
        assertTrue(upper.length > 1, Arrays.toString(upper));
        assertTrue(Arrays.stream(upper).noneMatch(id -> id == EOS), Arrays.toString(upper));
    }

    @Test
    void whitespaceAndUnicodeFormsAreNormalised() {
        assertArrayEquals(tokenizer.encode("a photo of a cat"), tokenizer.encode("  A\u00a0PHOTO\tof\n\na   cat "));
        // NFC: c + combining cedilla is ç
        assertArrayEquals(tokenizer.encode("ça va"), tokenizer.encode("c\u0327a va"));
    }

    @Test
    void configuredPadTokenAndMaxLengthAreUsed(@TempDir Path dir) throws IOException {
        copyVocabAndMerges(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"__type": "AddedToken", "content": "<|startoftext|>", "lstrip": false},
                 "eos_token": "<|endoftext|>", "pad_token": "!", "model_max_length": 8}""");
        ClipTokenizer t = ClipTokenizer.load(dir);
        assertEquals(0, t.padId());   // "!" is id 0, as in SD 2's tokenizer
        assertEquals(8, t.maxLength());
        int[] cat = content(tokenizer.encode("a cat"));
        int[] ids = t.encode("a cat");
        assertEquals(8, ids.length);
        int[] expected = new int[8];   // pad 0
        expected[0] = BOS;
        System.arraycopy(cat, 0, expected, 1, cat.length);
        expected[1 + cat.length] = EOS;
        assertArrayEquals(expected, ids);
        // a special pad token is cut out of the text like bos/eos: transformers gives SD 2 / SDXL's
        // tokenizer_2 "! !! !!!" -> bos, six 0s, eos (diffusers issue 4153), not the ids of "!</w>", "!!</w>", ...
        assertArrayEquals(new int[] {BOS, 0, 0, 0, 0, 0, 0, EOS}, t.encode("! !! !!!"));
    }

    @Test
    void withoutConfigFilesTheClipDefaultsHold(@TempDir Path dir) throws IOException {
        copyVocabAndMerges(dir);
        ClipTokenizer t = ClipTokenizer.load(dir);
        assertEquals(EOS, t.padId());
        assertEquals(77, t.maxLength());
        assertArrayEquals(tokenizer.encode("A Painting of a Zebra riding a bike!"), t.encode("A Painting of a Zebra riding a bike!"));
    }

    @Test
    void missingVocabIsReportedByName(@TempDir Path dir) throws IOException {
        Files.copy(DIR.resolve("merges.txt"), dir.resolve("merges.txt"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void missingMergesIsReportedByName(@TempDir Path dir) throws IOException {
        Files.copy(DIR.resolve("vocab.json"), dir.resolve("vocab.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
    }

    @Test
    void corruptFilesAreReportedByName(@TempDir Path dir) throws IOException {
        copyVocabAndMerges(dir);
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 1, ");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());

        copyVocabAndMerges(dir);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nq\n");
        e = assertThrows(ModelFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt") && e.getMessage().contains("line 3"), e.getMessage());

        copyVocabAndMerges(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|nope|>\"}");
        e = assertThrows(ModelFormatException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("<|nope|>"), e.getMessage());
    }

    /** The ids between bos and the first eos. */
    private static int[] content(int[] ids) {
        int end = 1;
        while (ids[end] != EOS) {
            end++;
        }
        return Arrays.copyOfRange(ids, 1, end);
    }

    private static void copyVocabAndMerges(Path dir) throws IOException {
        for (String f : List.of("vocab.json", "merges.txt")) {
            Files.copy(DIR.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(dir.resolve("tokenizer_config.json"));
    }
}
