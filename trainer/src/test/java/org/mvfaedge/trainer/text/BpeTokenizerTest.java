package org.mvfaedge.trainer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** The BPE tokenizer against the reference's token ids and hand-checked properties. */
class BpeTokenizerTest {
    /**
     * The fixture does not store its four strings; these were recovered by decoding
     * {@code text/tokenize_examples.npy} ("a photo of a cat", "brain", "a photo of the flawless
     * chest x-ray film for anomaly detection.", "mixed case, punctuation!? and numbers 1234 été").
     * The first three are written as the reference generator plausibly wrote them; the fourth is a
     * reconstructed messy original: runs of spaces, a tab and a newline, upper case, and the accents
     * once decomposed (E + U+0301, NFD) and once composed (U+00E9, NFC).
     */
    static final List<String> EXAMPLES = List.of(
            "a photo of a cat",
            "Brain",
            "a photo of the flawless Chest X-ray film for anomaly detection.",
            "  Mixed   CASE,\tpunctuation!?  and\nNUMBERS 1234 E\u0301t\u00e9  ");

    static BpeTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = BpeTokenizer.load(Fixtures.bpe());
    }

    @Test
    void tokenizeMatchesReferenceExamples() {
        int context = FixtureConfig.get().contextLength();
        Npy expected = Fixtures.npy(Fixtures.fixture().resolve("text/tokenize_examples.npy"));
        assertArrayEquals(new long[] {EXAMPLES.size(), context}, expected.shape);
        int[][] actual = tokenizer.tokenize(EXAMPLES, context);
        assertClose("text/tokenize_examples", actual, expected.ints());
    }

    static void assertClose(String quantity, int[][] actual, int[] expected) {
        float[] a = new float[expected.length];
        float[] e = new float[expected.length];
        int k = 0;
        for (int[] row : actual) {
            for (int t : row) {
                if (k < a.length) {
                    a[k] = t;
                }
                k++;
            }
        }
        assertEquals(expected.length, k, "token count");
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        // Ids are far below 2^24, so float holds them exactly and any difference is >= 1.
        Fixtures.assertClose(quantity, a, e, 0.0);
    }

    @Test
    void vocabularyAndSpecialTokensOfOpenAiFile() {
        assertEquals(49408, tokenizer.vocabSize());
        assertEquals(tokenizer.tokenId("<|startoftext|>").getAsInt(), tokenizer.startToken());
        assertEquals(tokenizer.tokenId("<|endoftext|>").getAsInt(), tokenizer.endToken());
        assertEquals(tokenizer.vocabSize() - 1, tokenizer.endToken());
        // Reference quirk: a special token's text in the input becomes that token (the BPE cache
        // is seeded with the special strings).
        assertArrayEquals(new int[] {tokenizer.endToken()}, tokenizer.encode("<|endoftext|>"));
    }

    @Test
    void decodeRecoversCleanedText() {
        int context = FixtureConfig.get().contextLength();
        Npy expected = Fixtures.npy(Fixtures.fixture().resolve("text/tokenize_examples.npy"));
        int[] ids = expected.ints();
        int[] row0 = java.util.Arrays.copyOfRange(ids, 0, context);
        int[] row3 = java.util.Arrays.copyOfRange(ids, 3 * context, 4 * context);
        // Every end of word becomes a space, so the decoded text ends with one.
        assertEquals("a photo of a cat ", tokenizer.decodeTokenized(row0));
        assertEquals("mixed case , punctuation !? and numbers 1 2 3 4 \u00e9t\u00e9 ", tokenizer.decodeTokenized(row3));
        // Special tokens decode to their own text (the reference's decode does not drop them).
        assertEquals("<|startoftext|>cat ", tokenizer.decode(new int[] {tokenizer.startToken(),
                tokenizer.tokenId("cat</w>").getAsInt()}));
    }

    @Test
    void cleaningFollowsReference() {
        // NFD and NFC forms of an accent give the same tokens (ftfy normalises to NFC).
        assertArrayEquals(tokenizer.encode("\u00e9t\u00e9"), tokenizer.encode("e\u0301te\u0301"));
        // Whitespace runs, case and surrounding space do not matter.
        assertArrayEquals(tokenizer.encode("hello world"), tokenizer.encode(" \tHELLO \u00a0\n World\r\n"));
        // html.unescape twice: "&amp;amp;" is "&"; numeric and named references.
        assertArrayEquals(tokenizer.encode("fish & chips"), tokenizer.encode("fish &amp;amp; chips"));
        assertArrayEquals(tokenizer.encode("\u00e9t\u00e9"), tokenizer.encode("&eacute;t&#233;"));
        // Curly quotes and ligatures as ftfy fixes them.
        assertArrayEquals(tokenizer.encode("it's fine"), tokenizer.encode("it\u2019s \ufb01ne"));
        // Contractions are their own pieces: "'s" is one token.
        int[] s = tokenizer.encode("brain's");
        assertEquals(2, s.length);
        assertEquals(tokenizer.tokenId("'s</w>").getAsInt(), s[1]);
    }

    @Test
    void textThatDoesNotFitIsRejectedNamingItsStartAndCount() {
        // "a" is one token: 75 of them plus start and end fill 77 exactly.
        String fits = String.join(" ", Collections.nCopies(75, "a"));
        int[][] row = tokenizer.tokenize(List.of(fits), 77);
        assertEquals(tokenizer.endToken(), row[0][76]);
        String tooLong = String.join(" ", Collections.nCopies(76, "a"));
        TextTooLongException e = assertThrows(TextTooLongException.class,
                () -> tokenizer.tokenize(List.of("ok", tooLong), 77));
        assertEquals(78, e.tokenCount());
        assertTrue(e.getMessage().contains("\"a a a"), e.getMessage());
        assertTrue(e.getMessage().contains("78 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("context length 77"), e.getMessage());
    }

    /** A hand-built vocabulary: the vocabulary source is pluggable and ids follow the reference's layout. */
    @Test
    void smallMergeListBuildsReferenceLayout() {
        BpeTokenizer small = new BpeTokenizer(List.of(new BpeTokenizer.Merge("c", "a"),
                new BpeTokenizer.Merge("ca", "t</w>")), "<start_of_text>", "<end_of_text>");
        // 256 byte symbols, 256 with </w>, 2 merges, 2 special tokens.
        assertEquals(516, small.vocabSize());
        assertEquals(514, small.startToken());
        assertEquals(515, small.endToken());
        // c a t</w> -> ca t</w> -> cat</w>, the second merge's entry 512 + 1.
        assertArrayEquals(new int[] {513}, small.encode("Cat"));
        // No merge applies: 't' and 'a' are printable bytes 116 and 97 at (byte - '!'), 'c</w>' at 256 + 66.
        assertArrayEquals(new int[] {83, 64, 322}, small.encode("tac"));
        // A space byte (not printable) is after the 188 printable ones: index 188 + 32.
        assertEquals(188 + 32, small.tokenId("\u0120").getAsInt());
        assertArrayEquals(new int[][] {{514, 513, 515, 0}}, small.tokenize(List.of("cat"), 4));
        assertEquals("cat tac ", small.decode(new int[] {513, 83, 64, 322}));
    }

    @Test
    void mergesFileErrorsNameFileAndLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("merges.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bad))) {
            out.write("#version: 0.2\ni n\nt h e\n".getBytes(StandardCharsets.UTF_8));
        }
        TokenizerException e = assertThrows(TokenizerException.class, () -> BpeTokenizer.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 3"), e.getMessage());
        Path missing = dir.resolve("absent.txt.gz");
        e = assertThrows(TokenizerException.class, () -> BpeTokenizer.load(missing));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        // A plain (not gzip) file with a final newline is read like the gzip one.
        Path plain = dir.resolve("merges.txt");
        Files.writeString(plain, "#version: 0.2\nc a\nca t</w>\n");
        List<BpeTokenizer.Merge> merges = BpeTokenizer.readMerges(plain, 10);
        assertEquals(new ArrayList<>(List.of(new BpeTokenizer.Merge("c", "a"), new BpeTokenizer.Merge("ca", "t</w>"))),
                merges);
        assertEquals(1, BpeTokenizer.readMerges(plain, 1).size());
    }
}
