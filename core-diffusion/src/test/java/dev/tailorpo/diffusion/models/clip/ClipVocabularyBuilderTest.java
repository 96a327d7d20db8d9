package dev.tailorpo.diffusion.models.clip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClipVocabularyBuilderTest {

    @Test
    void everyTrainingWordBecomesOneTokenAndTextRoundTrips(@TempDir Path dir) {
        List<String> words = List.of("a", "small", "red", "green", "circle", "on", "background", "navy", "gray");
        ClipVocabularyBuilder.write(dir, words, 16);
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertEquals(16, tok.maxLength());
        int[] ids = tok.encode("A small green circle on a navy background");
        // bos, 8 words, eos, then padding with eos
        assertEquals(tok.bosId(), ids[0]);
        assertEquals(tok.eosId(), ids[9]);
        assertEquals(tok.eosId(), ids[15]);
        String[] sentence = {"a", "small", "green", "circle", "on", "a", "navy", "background"};
        for (int i = 0; i < sentence.length; i++) {
            int[] alone = tok.encode(sentence[i]);
            assertEquals(tok.eosId(), alone[2], "'" + sentence[i] + "' is a single token");
            assertEquals(alone[1], ids[i + 1]);
        }
        assertEquals("a small green circle on a navy background", tok.decode(ids));
        // a word outside the training set still encodes (as several byte-level pieces)
        int[] other = tok.encode("redgreen");
        assertEquals("redgreen", tok.decode(other));
        assertEquals(tok.eosId(), other[java.util.stream.IntStream.range(0, 16).filter(i -> other[i] == tok.eosId()).findFirst().getAsInt()]);
        org.junit.jupiter.api.Assertions.assertTrue(tok.eosIndex(other) > 2, "several pieces");
    }
}
