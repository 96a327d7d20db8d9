package dev.tailorpo.diffusion.models.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertTokenizerTest {

    private static final Path DIR = TestData.testdata("imagereward-tiny");
    private static final JsonNode CONFIG = readJson("config.json");
    private static final JsonNode REFERENCE = readJson("reference.json");
    private static final Path VOCAB = DIR.resolve(CONFIG.at("/tokenizer/vocab_file").textValue());
    private static final int MAX_LENGTH = CONFIG.at("/tokenizer/max_length").intValue();

    private final BertTokenizer tokenizer = BertTokenizer.load(VOCAB, MAX_LENGTH, addedTokens());

    // ---- parity with transformers on the fixture ----

    @Test
    void matchesTransformersOnEveryTokenizerCase() {
        JsonNode cases = REFERENCE.get("tokenizer_cases");
        assertFalse(cases.isEmpty());
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            String what = "\"" + text + "\"";
            BertTokenizer.Encoding e = tokenizer.encode(text);
            assertArrayEquals(ints(c.get("input_ids")), e.ids(), what + ": ids");
            assertArrayEquals(ints(c.get("attention_mask")), e.attentionMask(), what + ": attention mask");
            assertEquals(c.get("untruncated_length").intValue(), e.untruncatedLength(), what + ": untruncated length");

            List<String> expectedTokens = strings(c.get("tokens"));
            assertEquals(expectedTokens.size(), e.length(), what + ": real tokens");
            List<String> pieces = tokenizer.tokenize(text);
            assertEquals(e.untruncatedLength(), pieces.size() + 2, what + ": pieces");
            List<String> tokens = new ArrayList<>();
            tokens.add(BertTokenizer.CLS);
            tokens.addAll(pieces.subList(0, e.length() - 2));
            tokens.add(BertTokenizer.SEP);
            assertEquals(expectedTokens, tokens, what + ": tokens");
            for (int i = 0; i < tokens.size(); i++) {
                assertEquals(tokenizer.id(tokens.get(i)), e.ids()[i], what + ": id of " + tokens.get(i));
            }
        }
    }

    @Test
    void matchesTheReferencePromptsEncodedInABatch() {
        List<String> prompts = strings(REFERENCE.get("prompts"));
        List<BertTokenizer.Encoding> batch = tokenizer.encodeBatch(prompts);
        assertEquals(prompts.size(), batch.size());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(ints(REFERENCE.get("prompt_input_ids").get(i)), batch.get(i).ids(), prompts.get(i));
            assertArrayEquals(ints(REFERENCE.get("prompt_attention_mask").get(i)), batch.get(i).attentionMask(), prompts.get(i));
        }
    }

    @Test
    void specialAndAddedTokensHaveTheReferenceIds() {
        BertTokenizer blip = BertTokenizer.forBlip(VOCAB, MAX_LENGTH);
        REFERENCE.get("special_token_ids").properties().forEach(entry -> {
            assertEquals(entry.getValue().intValue(), tokenizer.id(entry.getKey()), entry.getKey());
            assertEquals(entry.getValue().intValue(), blip.id(entry.getKey()), "forBlip: " + entry.getKey());
        });
        CONFIG.at("/tokenizer/added_tokens").properties().forEach(entry ->
                assertEquals(entry.getValue().intValue(), tokenizer.id(entry.getKey()), entry.getKey()));
        assertEquals(CONFIG.at("/text/vocab_size").intValue(), tokenizer.vocabSize());
        assertEquals(CONFIG.at("/tokenizer/vocab_entries").intValue() + addedTokens().size(), tokenizer.vocabSize());
        assertEquals(CONFIG.at("/text/vocab_size").intValue(), blip.vocabSize());
        assertEquals(MAX_LENGTH, tokenizer.maxLength());
    }

    @Test
    void specialTokensInTheTextAreCutOutWhole() {
        String text = REFERENCE.get("tokenizer_cases").get(0).get("text").textValue();
        List<String> words = tokenizer.tokenize(text);
        REFERENCE.get("special_token_ids").properties().forEach(entry -> {
            String token = entry.getKey();
            List<String> expected = new ArrayList<>(words);
            expected.add(token);
            expected.addAll(words);
            assertEquals(expected, tokenizer.tokenize(text + token + text), token);
            BertTokenizer.Encoding e = tokenizer.encode(token);
            assertEquals(entry.getValue().intValue(), e.ids()[1], token);
            assertEquals(3, e.length(), token);
        });
    }

    // ---- BERT's rules on a vocabulary made for them ----

    /** Ids 0-15 by line; BLIP's [DEC] and [ENC] then get 16 and 17. */
    private static final List<String> TINY = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "cat", "sun", "##s", "[", "]",
            "猫", "\u8C48", "\uD840\uDC00", "οδοσ", "i");

    @Test
    void wordsLongerThanAHundredCharactersAreUnknownAsAWhole(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        String hundred = "sun" + "s".repeat(97);
        List<String> expected = new ArrayList<>();
        expected.add("sun");
        expected.addAll(Collections.nCopies(97, "##s"));
        assertEquals(expected, t.tokenize(hundred));
        assertEquals(List.of("[UNK]"), t.tokenize(hundred + "s"));
        // a word that cannot be covered to its end is one [UNK], not its pieces then [UNK]
        assertEquals(List.of("a", "[UNK]", "cat"), t.tokenize("a sunsx cat"));
    }

    @Test
    void cjkIdeographsAreWordsOfTheirOwn(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        assertEquals(List.of("a", "猫", "cat"), t.tokenize("a猫cat"));
        // a compatibility ideograph is spaced, then NFC maps it to its unified form
        assertEquals(List.of("cat", "\u8C48", "cat"), t.tokenize("cat\uF900cat"));
        // Extension B, beyond the BMP
        assertEquals(List.of("cat", "\uD840\uDC00", "cat"), t.tokenize("cat\uD840\uDC00cat"));
        // hiragana is not in BERT's CJK blocks: it stays in the word, which "##の" cannot finish
        assertEquals(List.of("[UNK]"), t.tokenize("catの"));
    }

    @Test
    void specialTokensKeepTheirIdsAndAreCaseSensitive(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        assertEquals(16, t.id(BertTokenizer.DEC));
        assertEquals(17, t.id(BertTokenizer.ENC));
        assertEquals(18, t.vocabSize());
        assertEquals(List.of("a", "[SEP]", "cat"), t.tokenize("a[SEP]cat"));
        assertArrayEquals(new int[] {2, 5, 3, 6, 3, 0, 0, 0}, t.encode("a[SEP]cat").ids());
        assertEquals(List.of("[DEC]", "cat", "[ENC]", "[CLS]", "[CLS]"), t.tokenize("[DEC]cat [ENC] [CLS][CLS]"));
        // [PAD] in the text is a real token: attended to
        BertTokenizer.Encoding pad = t.encode("a [PAD]");
        assertArrayEquals(new int[] {2, 5, 0, 3, 0, 0, 0, 0}, pad.ids());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0, 0, 0}, pad.attentionMask());
        // another case is ordinary text: lower-cased, split at the brackets
        assertEquals(List.of("[", "[UNK]", "]"), t.tokenize("[sep]"));
        assertEquals(List.of("[", "[UNK]", "]"), t.tokenize("[Dec]"));
    }

    @Test
    void aLowerCaseAddedTokenIsFoundAfterLowerCasing(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.load(vocab(dir, TINY), 8, List.of("<img>"));
        assertEquals(16, t.id("<img>"));
        assertEquals(List.of("a", "<img>", "cat"), t.tokenize("a<img>cat"));
        // transformers lower-cases the text before cutting out special tokens
        assertEquals(List.of("a", "<img>", "cat"), t.tokenize("a<IMG>cat"));
        // a special token that only cleaning reassembles (the zero-width space goes) stays one word,
        // and WordPiece, which knows only the vocabulary file, makes it one [UNK] (not "<", "img", ">")
        assertEquals(List.of("a", "[UNK]", "cat"), t.tokenize("a <im\u200Bg> cat"));
    }

    @Test
    void cleaningDropsOtherCategoriesAndUnifiesWhitespace(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        // format (ZWSP, soft hyphen), private use, control, NUL and U+FFFD characters are dropped
        for (String text : List.of("c\u200Bat", "ca\u00ADt", "c\uE000at", "c\u0007at", "c\u0000a\uFFFDt")) {
            assertEquals(List.of("cat"), t.tokenize(text), text.codePoints().mapToObj(Integer::toHexString).toList().toString());
        }
        // Zs spaces, tab, CR, LF, and the line/paragraph separators Python's split() knows
        assertEquals(List.of("a", "cat", "a", "cat", "a", "cat"), t.tokenize(" a\u00A0cat\u3000a\tcat\u2028a\u2029cat\r\n"));
        assertEquals(List.of(), t.tokenize(" \t\n\u3000\u200B"));
        BertTokenizer.Encoding blank = t.encode(" \t\n");
        assertArrayEquals(new int[] {2, 3, 0, 0, 0, 0, 0, 0}, blank.ids());
        assertEquals(2, blank.length());
    }

    @Test
    void lowerCasingIsPerCharacterAndAccentsAreStripped(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        // one character at a time: the final Σ becomes σ, which "οδος" (with ς) would not match
        assertEquals(List.of("οδοσ"), t.tokenize("ΟΔΟΣ"));
        assertEquals(List.of("[UNK]"), t.tokenize("οδος"));
        // İ lower-cases to i + combining dot above, a mark that stripping removes
        assertEquals(List.of("i"), t.tokenize("\u0130"));
        assertEquals(List.of("cat"), t.tokenize("ÇÀT"));
        assertEquals(List.of("cat"), t.tokenize("C\u0301A\u0300T"));
    }

    @Test
    void punctuationIsEveryAsciiSymbolAndUnicodeP(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, TINY), 8);
        // $ ^ ` + are symbols to Unicode but BERT's punctuation; ¿ is Po
        assertEquals(List.of("a", "[UNK]", "cat", "[UNK]", "a", "[UNK]", "cat", "[UNK]", "a", "[UNK]", "cat"),
                t.tokenize("a$cat^a`cat+a¿cat"));
        // × is a non-ASCII symbol: not punctuation, so "a×cat" is one word
        assertEquals(List.of("[UNK]"), t.tokenize("a×cat"));
        assertEquals(List.of("[", "a", "]"), t.tokenize("[a]"));
    }

    @Test
    void truncationDropsPiecesFromTheEndAndKeepsSep(@TempDir Path dir) throws IOException {
        Path file = vocab(dir, TINY);
        BertTokenizer.Encoding e = BertTokenizer.load(file, 4, List.of()).encode("a cat a cat");
        assertArrayEquals(new int[] {2, 5, 6, 3}, e.ids());
        assertArrayEquals(new int[] {1, 1, 1, 1}, e.attentionMask());
        assertEquals(4, e.length());
        assertEquals(6, e.untruncatedLength());

        BertTokenizer shortest = BertTokenizer.load(file, 2, List.of());
        assertArrayEquals(new int[] {2, 3}, shortest.encode("cat").ids());
        assertEquals(3, shortest.encode("cat").untruncatedLength());
        assertEquals(2, shortest.encode("").untruncatedLength());
    }

    // ---- vocab.txt as transformers reads it ----

    @Test
    void crLfAndAMissingFinalNewlineReadAsLf(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\ncat");
        BertTokenizer t = BertTokenizer.load(file, 8, List.of());
        assertEquals(5, t.id("cat"));
        assertEquals(6, t.vocabSize());
        assertArrayEquals(new int[] {2, 5, 3, 0, 0, 0, 0, 0}, t.encode("CAT").ids());
    }

    @Test
    void aBlankLineIsATokenAndKeepsItsIndex(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\n\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncat\n");
        BertTokenizer t = BertTokenizer.load(file, 8, List.of());
        assertEquals(1, t.id(""));
        assertEquals(2, t.id("[UNK]"));
        assertEquals(6, t.id("cat"));
        assertEquals(7, t.vocabSize());
    }

    @Test
    void aDuplicatedTokenKeepsItsLastIndexAndTheAddedIdsCountDistinctTokens(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(
                vocab(dir, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "a", "cat")), 8);
        assertEquals(7, t.id("cat"));
        // transformers numbers added tokens from len(vocab), 7 distinct tokens here: [DEC] shares
        // id 7 with the last line's "cat"
        assertEquals(7, t.id(BertTokenizer.DEC));
        assertEquals(8, t.id(BertTokenizer.ENC));
        assertEquals(9, t.vocabSize());
        assertArrayEquals(new int[] {2, 7, 6, 7, 3, 0, 0, 0}, t.encode("cat a [DEC]").ids());
    }

    @Test
    void aMissingMaskIsAddedBeforeBlipsTokens(@TempDir Path dir) throws IOException {
        BertTokenizer t = BertTokenizer.forBlip(vocab(dir, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "cat")), 8);
        assertEquals(5, t.id(BertTokenizer.MASK));
        assertEquals(6, t.id(BertTokenizer.DEC));
        assertEquals(7, t.id(BertTokenizer.ENC));
        assertEquals(8, t.vocabSize());
        assertArrayEquals(new int[] {2, 4, 5, 3, 0, 0, 0, 0}, t.encode("cat[MASK]").ids());
    }

    // ---- errors ----

    @Test
    void aVocabularyWithoutClsIsRefusedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.write(file, Files.readAllLines(VOCAB).stream().filter(line -> !line.equals("[CLS]")).toList());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> BertTokenizer.load(file, MAX_LENGTH, addedTokens()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("[CLS]"), e.getMessage());

        Files.write(file, Files.readAllLines(VOCAB).stream().filter(line -> !line.equals("[PAD]") && !line.equals("[SEP]")).toList());
        e = assertThrows(ModelFormatException.class, () -> BertTokenizer.load(file, MAX_LENGTH, addedTokens()));
        assertTrue(e.getMessage().contains("[PAD], [SEP]") && !e.getMessage().contains("[UNK]"), e.getMessage());
    }

    @Test
    void missingEmptyUnreadableAndNonUtf8FilesAreRefusedByName(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.txt");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> BertTokenizer.forBlip(missing, MAX_LENGTH));
        assertTrue(e.getMessage().contains("missing") && e.getMessage().contains(missing.toString()), e.getMessage());

        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        e = assertThrows(ModelFormatException.class, () -> BertTokenizer.forBlip(empty, MAX_LENGTH));
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains(empty.toString()), e.getMessage());

        Path folder = Files.createDirectory(dir.resolve("vocab-dir"));
        e = assertThrows(ModelFormatException.class, () -> BertTokenizer.forBlip(folder, MAX_LENGTH));
        assertTrue(e.getMessage().contains(folder.toString()), e.getMessage());

        Path latin1 = Files.write(dir.resolve("latin1.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(ModelFormatException.class, () -> BertTokenizer.forBlip(latin1, MAX_LENGTH));
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains(latin1.toString()), e.getMessage());
    }

    @Test
    void badArgumentsAreRefusedByName() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BertTokenizer.forBlip(VOCAB, 1));
        assertTrue(e.getMessage().contains("maxLength 1"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> BertTokenizer.load(VOCAB, MAX_LENGTH, null));
        assertTrue(e.getMessage().contains("addedSpecialTokens"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> BertTokenizer.load(VOCAB, MAX_LENGTH, List.of("[DEC]", "")));
        assertTrue(e.getMessage().contains("addedSpecialTokens[1]"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> tokenizer.encode(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> tokenizer.tokenize(null));
        assertThrows(InvalidInputException.class, () -> tokenizer.encodeBatch(null));
        e = assertThrows(InvalidInputException.class, () -> tokenizer.id("no-such-token"));
        assertTrue(e.getMessage().contains("no-such-token"), e.getMessage());
    }

    // ---- helpers ----

    /** config.json's added tokens in id order. */
    private static List<String> addedTokens() {
        Map<String, Integer> added = new LinkedHashMap<>();
        CONFIG.at("/tokenizer/added_tokens").properties().forEach(e -> added.put(e.getKey(), e.getValue().intValue()));
        return added.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
    }

    private static Path vocab(Path dir, List<String> tokens) throws IOException {
        return Files.writeString(dir.resolve("vocab.txt"), tokens.stream().collect(Collectors.joining("\n", "", "\n")));
    }

    private static JsonNode readJson(String name) {
        try {
            return new ObjectMapper().readTree(DIR.resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::intValue).toArray();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::textValue).toList();
    }
}
