"""Writes reference.json: open_clip's text cleaning and token ids on Unicode prompts, with the real
ftfy, and Python's html.unescape on HTML character references (see README.md).

Run with Python 3.11, ftfy 6.3.1 and regex installed:
    python make_reference.py /path/to/HPSv2/hpsv2/src/open_clip
That folder holds HPSv2's vendored open_clip 2.16.0 (tokenizer.py and bpe_simple_vocab_16e6.txt.gz);
torch is stubbed, since only SimpleTokenizer.encode runs.
"""
import hashlib
import html
import importlib.util
import json
import os
import platform
import sys
import types
import unicodedata

import ftfy
import regex

HERE = os.path.dirname(os.path.abspath(__file__))
OPEN_CLIP = sys.argv[1]

torch = types.ModuleType("torch")
torch.Tensor = torch.LongTensor = object
sys.modules["torch"] = torch
spec = importlib.util.spec_from_file_location("tokenizer", os.path.join(OPEN_CLIP, "tokenizer.py"))
tokenizer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tokenizer)
tok = tokenizer._tokenizer
SOT, EOT = tok.encoder["<start_of_text>"], tok.encoder["<end_of_text>"]

CASES = [
    ("Crème brûlée à la carte", "accents"),
    ("cafe\u0301 vs caf\u00e9", "NFC composes e + combining acute"),
    ("a\u0301\u0302 e\u0308 \u1100\u1161", "NFC: stacked marks, Hangul jamo"),
    ("ΟΔΟΣ ΣΟΦΟΣ ΑΣ_Β ΑΣ1Β ΑΣ.Β Σ.Σ", "lower: Python's Final_Sigma rule (Java's toLowerCase keeps σ in ΑΣ_Β, ΑΣ1Β)"),
    ("İstanbul DİYARBAKIR ẞ Straße", "lower: full mappings"),
    ("東京タワーの夜景", "CJK: one letter run"),
    ("😀 emoji 👍🏽 flags 🇫🇷", "emoji: punctuation runs of 4-byte characters"),
    ("\u201chello\u201d it\u2019s \u2018x\u2019 \u201ey\u201f \u02bcz", "ftfy uncurl_quotes"),
    ("\ufb01ne \ufb02ow \ufb00 \ufb03 \ufb05 \ufb06 \u0133 \u01c6 \u01c8 \u0149", "ftfy fix_latin_ligatures (\ufb05 is \u017ft, not NFKC's st)"),
    ("\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33 \uff76\uff80\uff76\uff85 \uff8a\uff9e", "ftfy fix_character_width"),
    ("tab\tnl\nnbsp\u00a0em\u2003x\u2028y\u2029z\r\nw\rv", "whitespace runs and line breaks become one space"),
    ("\x1b[31mred\x1b[0m \x1b[1;4mbold", "ftfy remove_terminal_escapes"),
    ("a\x00b\x07c\x7fd\ufeffe\u206af\ufffcg\x1ch", "ftfy remove_control_chars"),
    ("\x93quoted\x94 \x85 \x80 \x81", "ftfy fix_c1_controls: windows-1252, unassigned bytes kept"),
    ("a\ud800b \udc00c", "ftfy fix_surrogates: a lone surrogate becomes U+FFFD"),
    ("rock &amp;amp;amp; roll", "ftfy unescapes to a fixed point on a line without '<'"),
    ("P&EACUTE;REZ &NOT; BUNDESSTRA&SZLIG;E &Eacute;", "ftfy: all-caps entity names"),
    ("&lt;b&gt;bold&lt;/b&gt; <i>x</i> &amp;amp;amp;", "a line with '<': only html.unescape twice"),
    ("one &amp;amp;amp;\ntwo <b> &amp;amp;amp;\nthree &amp;amp;amp;", "ftfy stops unescaping from the first line with '<' on"),
    ("&#1;&#x7f;x&#xd800;y &#133; &#0; &#150; &#x1F600;", "numeric references: deleted controls, surrogate, windows-1252"),
    ("&amp &notit; &copy2024 &#x26; &#38 &frac12;", "legacy names without a semicolon, longest prefix"),
    ("it'ſ <ſtart_of_text> \u0345x", "IGNORECASE: ſ matches s; U+0345 is dropped"),
    ("<START_OF_TEXT> A <End_Of_Text> B", "special-token texts are found after lower-casing"),
    ("x\u00adsoft\u200bzero\u200dj", "format characters stay (punctuation runs)"),
    ("1,000,000 ½ ² ٣ ⅷ", "numbers: each \\p{N} a token"),
    ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚", "mathematical letters and digits"),
    ("cafÃ© Ã  la carte", "mojibake: ftfy's fix_encoding repairs it, not reproduced"),
]

HTML = ["&amp;", "&amp", "&ampx", "&amp;amp;", "&notit;", "&notin;", "this&not that", "&#x26;", "&#X26;",
        "&#38", "&#0;", "&#1;", "&#x7f;", "&#x80;", "&#150;", "&#x81;", "&#xD800;", "&#x110000;",
        "&#99999999999;", "&#xfdd0;", "&#x1FFFF;", "&#28;", "&#x85;", "&LT;", "&Lt;", "&EACUTE;",
        "&eacutex", "&NotNestedGreaterGreater;", "&fjlig;", "&copy2024", "&#;", "&amp ;", "&gt;&gt",
        "&#x1F600", "&#x41g", "&sup2x", "&frac1", "&ThickSpace;", "a&#1;b&am&#1;p;"]


def cleaned(text, fix_encoding):
    fixed = ftfy.fix_text(text, fix_encoding=fix_encoding)
    return tokenizer.whitespace_clean(html.unescape(html.unescape(fixed)).strip()).lower()


def ids(clean_text):
    # SimpleTokenizer.encode after its cleaning (cleaning an already clean text again would
    # unescape twice more): its findall/bpe loop
    out = []
    for token in regex.findall(tok.pat, clean_text):
        token = "".join(tok.byte_encoder[b] for b in token.encode("utf-8"))
        out.extend(tok.encoder[t] for t in tok.bpe(token).split(" "))
    return [SOT] + out + [EOT]


cases = []
for text, note in CASES:
    full, without = cleaned(text, True), cleaned(text, False)
    assert full == tokenizer.whitespace_clean(tokenizer.basic_clean(text)).lower()
    assert ids(full)[1:-1] == tok.encode(text)
    cases.append({"text": text, "note": note, "mojibake": full != without,
                  "clean": full, "ids": ids(full),
                  "clean_without_fix_encoding": without, "ids_without_fix_encoding": ids(without)})


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


reference = {
    "what": "open_clip 2.16.0 (HPSv2's vendored copy) cleaning whitespace_clean(basic_clean(text)).lower() and "
            "[SOT] + SimpleTokenizer.encode(text) + [EOT] with the real ftfy; the same with ftfy's fix_encoding "
            "off (what TailorPO-J reproduces); Python's html.unescape",
    "versions": {"python": platform.python_version(), "ftfy": ftfy.__version__, "regex": regex.__version__,
                 "unicodedata": unicodedata.unidata_version,
                 "tokenizer.py sha256": sha256(os.path.join(OPEN_CLIP, "tokenizer.py")),
                 "bpe_simple_vocab_16e6.txt.gz sha256": sha256(os.path.join(OPEN_CLIP, "bpe_simple_vocab_16e6.txt.gz"))},
    "cases": cases,
    "html_unescape": [{"text": t, "unescaped": html.unescape(t)} for t in HTML],
}
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
