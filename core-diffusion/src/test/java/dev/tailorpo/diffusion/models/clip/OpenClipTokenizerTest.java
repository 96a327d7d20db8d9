package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parity with open_clip 2.16.0's tokenize on the hpsv2-tiny fixture, and the loader's errors. */
class OpenClipTokenizerTest {

    private static final Path VOCAB = TestData.data("vocab", "bpe_simple_vocab_16e6.txt.gz");

    private static JsonNode reference;
    private static OpenClipTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        reference = new ObjectMapper().readTree(TestData.testdata("hpsv2-tiny", "tokenizer-reference.json").toFile());
        tokenizer = OpenClipTokenizer.load(VOCAB, reference.get("context_length").intValue());
    }

    @Test
    void vocabularyAndSpecialIdsAreThoseOfTheFixture() throws IOException, NoSuchAlgorithmException {
        JsonNode vocabulary = reference.get("vocabulary");
        // the data file is the one the fixture was computed with
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(VOCAB));
        assertEquals(vocabulary.get("sha256").textValue(), HexFormat.of().formatHex(digest));
        Matcher used = Pattern.compile("lines 1\\.\\.(\\d+) after the header").matcher(vocabulary.get("merges_used").textValue());
        assertTrue(used.find(), vocabulary.get("merges_used").textValue());
        assertEquals(Integer.parseInt(used.group(1)), BytePairEncoding.CLIP_MERGES);

        assertEquals(vocabulary.get("vocab_size").intValue(), tokenizer.vocabSize());
        assertEquals(reference.get("sot").intValue(), tokenizer.sotId());
        assertEquals(reference.get("eot").intValue(), tokenizer.eotId());
        assertEquals(reference.get("pad").intValue(), tokenizer.padId());
        assertEquals(reference.get("context_length").intValue(), tokenizer.contextLength());
        assertEquals(OpenClipTokenizer.DEFAULT_CONTEXT_LENGTH, OpenClipTokenizer.load(VOCAB).contextLength());
    }

    @Test
    void matchesOpenClipOnEveryFixtureCase() {
        assertTrue(reference.get("cases").size() > 0);
        for (JsonNode c : reference.get("cases")) {
            String text = c.get("text").textValue();
            String what = c.get("note").textValue() + ": \"" + text + "\"";
            int[] ids = tokenizer.encode(text);
            assertArrayEquals(ints(c.get("ids")), ids, what);
            assertEquals(c.get("length").intValue(), (int) Arrays.stream(ids).filter(id -> id != tokenizer.padId()).count(), what);
            assertArrayEquals(ints(c.get("untruncated")), tokenizer.untruncatedIds(text), what);
            assertEquals(strings(c.get("bpe_tokens")), tokenizer.bpeTokens(text), what);
        }
    }

    @Test
    void batchHasOneRowPerText() {
        List<String> texts = new ArrayList<>();
        reference.get("cases").forEach(c -> texts.add(c.get("text").textValue()));
        int[][] rows = tokenizer.encodeBatch(texts);
        assertEquals(texts.size(), rows.length);
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(ints(reference.get("cases").get(i).get("ids")), rows[i], texts.get(i));
        }
    }

    @Test
    void aShorterContextTruncatesAsOpenClipDoes() {
        int context = 8;
        OpenClipTokenizer shorter = OpenClipTokenizer.load(VOCAB, context);
        for (JsonNode c : reference.get("cases")) {
            // tokenize(text, 8): the first 8 of the untruncated ids with the last set to EOT, or zero-padded
            int[] untruncated = ints(c.get("untruncated"));
            int[] expected = Arrays.copyOf(untruncated, context);
            if (untruncated.length > context) {
                expected[context - 1] = reference.get("eot").intValue();
            } else {
                Arrays.fill(expected, untruncated.length, context, reference.get("pad").intValue());
            }
            assertArrayEquals(expected, shorter.encode(c.get("text").textValue()), c.get("text").textValue());
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(InvalidInputException.class, () -> tokenizer.encode(null));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OpenClipTokenizer.load(VOCAB, 1));
        assertTrue(e.getMessage().contains("contextLength 1"), e.getMessage());
    }

    @Test
    void missingFileIsReportedByName(@TempDir Path dir) {
        Path missing = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
        assertRefused(missing, "missing");
    }

    @Test
    void fileThatIsNotGzipIsReportedByName(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain.txt.gz");
        Files.writeString(plain, "bpe_simple_vocab_16e6.txt#version: 0.2\ni n\n");
        assertRefused(plain, "gzip");
    }

    @Test
    void truncatedGzipIsReportedByName(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(VOCAB);
        Path cut = dir.resolve("cut.txt.gz");
        // past the merges that are used: open_clip decodes the whole file, and so fails on its tail
        Files.write(cut, Arrays.copyOf(whole, whole.length * 3 / 4));
        assertRefused(cut, "truncated");
    }

    @Test
    void tooFewMergesAreReportedByName(@TempDir Path dir) throws IOException {
        List<String> lines = realLines(101);   // the header and 100 merges
        Path shortFile = gzip(dir.resolve("short.txt.gz"), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        assertRefused(shortFile, "100 merges");
    }

    @Test
    void nonUtf8IsReportedByName(@TempDir Path dir) throws IOException {
        byte[] header = (realLines(1).get(0) + "\ni n\n").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(header, header.length + 2);
        bytes[header.length] = (byte) 0xff;
        bytes[header.length + 1] = (byte) 0xfe;
        assertRefused(gzip(dir.resolve("latin1.txt.gz"), bytes), "UTF-8");
    }

    @Test
    void malformedMergeLinesAreReportedByLine(@TempDir Path dir) throws IOException {
        List<String> lines = realLines(BytePairEncoding.CLIP_MERGES + 1);
        lines.set(2, "i n g");
        Path three = gzip(dir.resolve("three.txt.gz"), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        assertTrue(assertRefused(three, "line 3").contains("not a pair"));

        lines.set(2, "i\tn g");   // "i\tn" is no byte symbol and no merge's result
        Path unknown = gzip(dir.resolve("unknown.txt.gz"), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        assertTrue(assertRefused(unknown, "line 3").contains("neither a byte nor the result of a merge"));
    }

    /** Asserts that loading {@code file} fails naming it and saying {@code what}; returns the message. */
    private static String assertRefused(Path file, String what) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OpenClipTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(what), e.getMessage());
        return e.getMessage();
    }

    /** The first {@code n} lines of the real BPE file (line 0 is the header). */
    private static List<String> realLines(int n) throws IOException {
        List<String> lines = new ArrayList<>(n);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(VOCAB)), StandardCharsets.UTF_8))) {
            for (String line; lines.size() < n && (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static Path gzip(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
        return file;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.textValue()));
        return out;
    }
}
