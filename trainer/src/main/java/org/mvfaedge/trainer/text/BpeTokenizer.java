package org.mvfaedge.trainer.text;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer, a port of OpenAI's {@code simple_tokenizer.py} and
 * {@code clip.tokenize}.
 *
 * <p>The vocabulary is built from a list of merges exactly as the reference builds it: the 256
 * byte characters, the same with {@code </w>}, one entry per merge, then the start and end tokens.
 * OpenAI's vocabulary comes from {@link #load(Path)}; a tokenizer with another (e.g. smaller) merge
 * list or other special token strings is made with the constructors. Instances are thread-safe.
 */
public final class BpeTokenizer {
    /** Merges OpenAI's CLIP uses from its file: {@code 49152 - 256 - 2}. */
    public static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;
    public static final String OPENAI_START_TOKEN = "<|startoftext|>";
    public static final String OPENAI_END_TOKEN = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";

    /** One BPE merge rule: adjacent symbols {@code first} and {@code second} join into one. */
    public record Merge(String first, String second) {
        public Merge {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }
    }

    private static final char[] BYTE_ENCODER = bytesToUnicode();
    private static final Map<Character, Integer> BYTE_DECODER = invert(BYTE_ENCODER);
    private static final char[] VOCAB_BYTE_ORDER = vocabularyByteOrder();

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> bpeRanks;
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final Pattern pattern;
    private final int startToken;
    private final int endToken;

    /** A tokenizer with OpenAI's special token strings. */
    public BpeTokenizer(List<Merge> merges) {
        this(merges, OPENAI_START_TOKEN, OPENAI_END_TOKEN);
    }

    /**
     * A tokenizer over the given merges (in rank order) and special token strings; the special
     * tokens' ids are looked up in the vocabulary this builds (the last two entries).
     */
    public BpeTokenizer(List<Merge> merges, String startText, String endText) {
        Objects.requireNonNull(merges, "merges");
        if (startText == null || startText.isEmpty() || endText == null || endText.isEmpty()
                || startText.equals(endText)) {
            throw new TokenizerException("start and end tokens must be two different non-empty strings, got "
                    + startText + " and " + endText);
        }
        List<String> vocab = new ArrayList<>(512 + merges.size() + 2);
        for (char c : VOCAB_BYTE_ORDER) {
            vocab.add(String.valueOf(c));
        }
        for (char c : VOCAB_BYTE_ORDER) {
            vocab.add(c + END_OF_WORD);
        }
        Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            Merge m = merges.get(i);
            vocab.add(m.first() + m.second());
            // Later duplicates win, as in the reference's dict(zip(merges, range(len(merges)))).
            ranks.put(pairKey(m.first(), m.second()), i);
        }
        vocab.add(startText);
        vocab.add(endText);
        Map<String, Integer> enc = new HashMap<>(vocab.size() * 2);
        for (int i = 0; i < vocab.size(); i++) {
            enc.put(vocab.get(i), i);
        }
        // Reference quirk: with duplicate vocabulary entries the dict keeps the last id, and the
        // decoder (its inverse) has no entry for the shadowed ids.
        String[] dec = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : enc.entrySet()) {
            dec[e.getValue()] = e.getKey();
        }
        this.encoder = Collections.unmodifiableMap(enc);
        this.decoder = dec;
        this.bpeRanks = ranks;
        this.startToken = enc.get(startText);
        this.endToken = enc.get(endText);
        // Reference quirk: the BPE cache is seeded with the special strings, so a text that
        // contains "<|endoftext|>" gets the end token itself there, not the symbols of its characters.
        cache.put(startText, startText);
        cache.put(endText, endText);
        this.pattern = Pattern.compile(Pattern.quote(startText) + "|" + Pattern.quote(endText)
                + "|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** OpenAI's tokenizer from its merges file ({@code bpe_simple_vocab_16e6.txt.gz}). */
    public static BpeTokenizer load(Path mergesFile) {
        return new BpeTokenizer(readMerges(mergesFile, OPENAI_MERGE_COUNT));
    }

    /**
     * Reads merges as the reference does: the file's first line is a header, the next
     * {@code maxMerges} lines (or fewer, where the file ends) are the merges, one
     * "first second" pair per line. The file may be gzip-compressed or plain UTF-8.
     */
    public static List<Merge> readMerges(Path file, int maxMerges) {
        if (maxMerges < 0) {
            throw new IllegalArgumentException("maxMerges must be >= 0, got " + maxMerges);
        }
        String text;
        try {
            text = new String(readMaybeGzip(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, "BPE merges file not found (CLIP's is bpe_simple_vocab_16e6.txt.gz)", e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read the BPE merges file: " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        int end = Math.min(lines.length, 1 + maxMerges);
        List<Merge> merges = new ArrayList<>(Math.max(0, end - 1));
        for (int i = 1; i < end; i++) {
            String[] parts = lines[i].trim().split("\\s+");
            if (parts.length != 2 || parts[0].isEmpty()) {
                if (lines[i].isBlank() && i == lines.length - 1) {
                    break; // the file's final newline
                }
                throw new TokenizerException(file, "line " + (i + 1) + " is not a BPE merge (two symbols separated by a space): \""
                        + lines[i] + "\"");
            }
            merges.add(new Merge(parts[0], parts[1]));
        }
        if (merges.isEmpty()) {
            throw new TokenizerException(file, "no BPE merges after the header line: is this a CLIP merges file?");
        }
        return merges;
    }

    private static byte[] readMaybeGzip(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Number of entries in the vocabulary (49408 for OpenAI's). */
    public int vocabSize() {
        return decoder.length;
    }

    /** Id of the start token. */
    public int startToken() {
        return startToken;
    }

    /** Id of the end token. */
    public int endToken() {
        return endToken;
    }

    /** Id of a vocabulary entry (byte-encoded symbol, e.g. {@code "cat</w>"}), if present. */
    public OptionalInt tokenId(String symbol) {
        Integer id = encoder.get(symbol);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Token ids of a text, without start and end tokens ({@code SimpleTokenizer.encode}). */
    public int[] encode(String text) {
        String cleaned = ClipTextCleaner.clean(text);
        List<Integer> ids = new ArrayList<>();
        Matcher m = pattern.matcher(cleaned);
        while (m.find()) {
            String token = byteEncode(m.group());
            for (String symbol : bpe(token).split(" ")) {
                Integer id = encoder.get(symbol);
                if (id == null) {
                    // Cannot happen with a consistent merge list: every byte is in the vocabulary.
                    throw new TokenizerException("BPE produced the symbol \"" + symbol
                            + "\", which is not in the vocabulary: the merge list is inconsistent");
                }
                ids.add(id);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * {@code clip.tokenize(texts, contextLength)}: one row per text, start token, the text's
     * tokens, end token, zero padded.
     *
     * @throws TextTooLongException when a text does not fit (the reference's {@code truncate=False})
     */
    public int[][] tokenize(List<String> texts, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be >= 2 (start and end tokens), got " + contextLength);
        }
        int[][] result = new int[texts.size()][contextLength];
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = encode(texts.get(i));
            if (ids.length + 2 > contextLength) {
                throw new TextTooLongException(texts.get(i), ids.length + 2, contextLength);
            }
            result[i][0] = startToken;
            System.arraycopy(ids, 0, result[i], 1, ids.length);
            result[i][ids.length + 1] = endToken;
        }
        return result;
    }

    /**
     * {@code SimpleTokenizer.decode}: the ids' symbols joined, mapped back to bytes, read as UTF-8
     * (invalid sequences become U+FFFD), each {@code </w>} turned into a space. Special tokens
     * decode to their strings.
     */
    public String decode(int[] tokens) {
        StringBuilder symbols = new StringBuilder();
        for (int t : tokens) {
            if (t < 0 || t >= decoder.length || decoder[t] == null) {
                throw new IllegalArgumentException("token id " + t + " is not in the vocabulary (size "
                        + decoder.length + ")");
            }
            symbols.append(decoder[t]);
        }
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < bytes.length; i++) {
            Integer b = BYTE_DECODER.get(symbols.charAt(i));
            if (b == null) {
                throw new IllegalArgumentException("symbol character U+" + Integer.toHexString(symbols.charAt(i))
                        + " is not a byte character: the vocabulary is not byte-level");
            }
            bytes[i] = (byte) (int) b;
        }
        return new String(bytes, StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
    }

    /**
     * Decodes one row of {@link #tokenize}: the tokens after the start token up to (not
     * including) the end token, so padding is dropped.
     */
    public String decodeTokenized(int[] row) {
        int from = row.length > 0 && row[0] == startToken ? 1 : 0;
        int to = from;
        while (to < row.length && row[to] != endToken) {
            to++;
        }
        return decode(Arrays.copyOfRange(row, from, to));
    }

    private static String byteEncode(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_ENCODER[bytes[i] & 0xff];
        }
        return new String(chars);
    }

    /** The reference's {@code bpe}: symbols of one pre-token, space separated, cached. */
    String bpe(String token) {
        String cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + END_OF_WORD);
        while (word.size() > 1) {
            // The lowest-ranked adjacent pair; pairs without a rank never merge.
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer rank = bpeRanks.get(pairKey(word.get(i), word.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // Merge every non-overlapping occurrence, left to right, as the reference does.
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i < word.size() - 1 && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String result = String.join(" ", word);
        cache.put(token, result);
        return result;
    }

    private static String pairKey(String first, String second) {
        // Symbols never contain a space (the merges file separates them with one).
        return first + ' ' + second;
    }

    /** GPT-2's reversible table: printable bytes map to themselves, the rest to U+0100 onwards. */
    private static char[] bytesToUnicode() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xa1; b <= 0xac; b++) {
            printable[b] = true;
        }
        for (int b = 0xae; b <= 0xff; b++) {
            printable[b] = true;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? (char) b : (char) (256 + n++);
        }
        return table;
    }

    /** Byte characters in the reference's vocabulary order: printable bytes first, then the rest. */
    private static char[] vocabularyByteOrder() {
        char[] order = new char[256];
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (BYTE_ENCODER[b] == b) {
                order[k++] = BYTE_ENCODER[b];
            }
        }
        for (int b = 0; b < 256; b++) {
            if (BYTE_ENCODER[b] != b) {
                order[k++] = BYTE_ENCODER[b];
            }
        }
        return order;
    }

    private static Map<Character, Integer> invert(char[] table) {
        Map<Character, Integer> inv = new HashMap<>(512);
        for (int b = 0; b < table.length; b++) {
            inv.put(table[b], b);
        }
        return inv;
    }
}
