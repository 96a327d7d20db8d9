package dev.tailorpo.diffusion.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * open_clip's text cleaning beyond ASCII (testdata/openclip-text: the real ftfy 6.3.1, Python's
 * html.unescape and str.lower), and invariants of the ftfy fixes.
 */
class OpenClipTextTest {

    private static JsonNode reference;
    private static OpenClipTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        reference = new ObjectMapper().readTree(TestData.testdata("openclip-text", "reference.json").toFile());
        tokenizer = OpenClipTokenizer.load(TestData.data("vocab", "bpe_simple_vocab_16e6.txt.gz"));
    }

    @Test
    void cleaningAndIdsMatchOpenClipWithFtfyBarItsMojibakeRepair() {
        int mojibake = 0;
        for (JsonNode c : reference.get("cases")) {
            String text = c.get("text").textValue();
            String what = c.get("note").textValue();
            String clean = OpenClipTokenizer.clean(text);
            int[] ids = tokenizer.untruncatedIds(text);
            assertEquals(c.get("clean_without_fix_encoding").textValue(), clean, what);
            assertArrayEquals(OpenClipTokenizerTest.ints(c.get("ids_without_fix_encoding")), ids, what);
            if (c.get("mojibake").booleanValue()) {
                // ftfy's fix_encoding is not reproduced: the mojibake stays
                assertNotEquals(c.get("clean").textValue(), clean, what);
                mojibake++;
            } else {
                assertEquals(c.get("clean").textValue(), clean, what);
                assertArrayEquals(OpenClipTokenizerTest.ints(c.get("ids")), ids, what);
            }
        }
        assertEquals(1, mojibake);
    }

    @Test
    void htmlUnescapeMatchesPython() {
        assertTrue(reference.get("html_unescape").size() > 0);
        for (JsonNode c : reference.get("html_unescape")) {
            assertEquals(c.get("unescaped").textValue(), HtmlEntities.unescape(c.get("text").textValue()),
                    c.get("text").textValue());
        }
    }

    @Test
    void ftfyFixesAreIdempotentAndLeaveNfcWithoutRemovedCharacters() {
        for (String text : texts()) {
            String fixed = FtfyFixes.fixText(text);
            assertEquals(fixed, FtfyFixes.fixText(fixed), text);
            assertTrue(Normalizer.isNormalized(fixed, Normalizer.Form.NFC), text);
            // nothing is left of what remove_control_chars, fix_c1_controls (assigned bytes),
            // fix_surrogates, uncurl_quotes, fix_latin_ligatures and fix_character_width replace
            assertTrue(fixed.codePoints().noneMatch(OpenClipTextTest::replacedByFtfy), text);
        }
    }

    @Test
    void ftfyFixesLeavePlainAsciiAlone() {
        // printable ASCII without '&' (HTML) or ESC: nothing in ftfy's exact part applies
        JsonNode cases;
        try {
            cases = new ObjectMapper().readTree(TestData.testdata("hpsv2-tiny", "tokenizer-reference.json").toFile()).get("cases");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        int checked = 0;
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            if (text.indexOf('&') < 0) {
                assertEquals(text, FtfyFixes.fixText(text));
                checked++;
            }
        }
        assertTrue(checked > 10, "checked " + checked);
    }

    private static boolean replacedByFtfy(int cp) {
        return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\f' && cp != '\r') || cp == 0x7f || cp == 0xfeff
                || cp == 0x93 || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)
                || (cp >= 0x2018 && cp <= 0x201f) || (cp >= 0xfb00 && cp <= 0xfb06) || (cp >= 0xff01 && cp <= 0xff5e)
                || cp == 0x3000;
    }

    private static List<String> texts() {
        List<String> out = new ArrayList<>();
        reference.get("cases").forEach(c -> out.add(c.get("text").textValue()));
        return out;
    }
}
