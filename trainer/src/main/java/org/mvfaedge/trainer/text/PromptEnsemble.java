package org.mvfaedge.trainer.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * MVFA's prompt ensemble ({@code encode_text_with_prompt_ensemble}): for an object's real name,
 * every state x template sentence (states outer, templates inner; {@code state.format(name)} then
 * {@code template.format(state)}), tokenized, encoded, and reduced per state group to one unit
 * vector: normalise each sentence embedding, average, normalise again. Normal states come first.
 */
public final class PromptEnsemble {
    private final PromptConfig config;
    private final BpeTokenizer tokenizer;
    private final int contextLength;

    /**
     * @param contextLength the text encoder's context length (77 for OpenAI's CLIP)
     */
    public PromptEnsemble(PromptConfig config, BpeTokenizer tokenizer, int contextLength) {
        this.config = Objects.requireNonNull(config, "config");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be >= 2, got " + contextLength);
        }
        this.contextLength = contextLength;
    }

    /** Sentences of the normal states, in the reference's order. */
    public List<String> normalSentences(ObjectInfo object) {
        return sentences(config.normalStates(), object.realName());
    }

    /** Sentences of the abnormal states, in the reference's order. */
    public List<String> abnormalSentences(ObjectInfo object) {
        return sentences(config.abnormalStates(), object.realName());
    }

    /** All sentences: normal states' then abnormal states'. */
    public List<String> sentences(ObjectInfo object) {
        List<String> all = new ArrayList<>(normalSentences(object));
        all.addAll(abnormalSentences(object));
        return all;
    }

    /** Token rows of {@link #sentences}, {@code [sentences, contextLength]}. */
    public int[][] tokens(ObjectInfo object) {
        return tokenizer.tokenize(sentences(object), contextLength);
    }

    private List<String> sentences(List<String> states, String realName) {
        List<String> out = new ArrayList<>(states.size() * config.templates().size());
        for (String state : states) {
            String prompted = PythonFormat.format(state, realName);
            for (String template : config.templates()) {
                out.add(PythonFormat.format(template, prompted));
            }
        }
        return out;
    }

    /** The text features of the object of that name (see {@link PromptConfig#object}). */
    public TextFeatures textFeatures(String objectName, TextEncoder encoder) {
        return textFeatures(config.object(objectName), encoder);
    }

    /**
     * The object's text features: column 0 from the normal sentences, column 1 from the abnormal
     * ones. Each group goes to the encoder in one call, as in the reference.
     */
    public TextFeatures textFeatures(ObjectInfo object, TextEncoder encoder) {
        // Two encoder calls (normal, then abnormal) like the reference's loop over state groups;
        // batching changes no value in exact arithmetic but keeps the float behaviour comparable.
        float[] normal = groupDirection(normalSentences(object), encoder);
        float[] abnormal = groupDirection(abnormalSentences(object), encoder);
        return TextFeatures.ofColumns(normal, abnormal);
    }

    private float[] groupDirection(List<String> sentences, TextEncoder encoder) {
        float[][] embeddings = encoder.encode(tokenizer.tokenize(sentences, contextLength));
        if (embeddings == null || embeddings.length != sentences.size()) {
            throw new IllegalStateException("text encoder returned " + (embeddings == null ? "nothing" : embeddings.length
                    + " embeddings") + " for " + sentences.size() + " sentences");
        }
        try {
            return ensembleDirection(embeddings);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("text encoder output unusable for the prompt ensemble starting \""
                    + sentences.get(0) + "\": " + e.getMessage(), e);
        }
    }

    /**
     * {@code e /= e.norm(dim=-1); m = e.mean(0); m /= m.norm()}: the unit mean direction of
     * sentence embeddings ({@code [n, embedDim]}). Accumulates in double.
     */
    public static float[] ensembleDirection(float[][] embeddings) {
        if (embeddings.length == 0) {
            throw new IllegalArgumentException("no sentence embeddings");
        }
        int dim = embeddings[0].length;
        double[] mean = new double[dim];
        for (int r = 0; r < embeddings.length; r++) {
            float[] e = embeddings[r];
            if (e.length != dim) {
                throw new IllegalArgumentException("embedding " + r + " has " + e.length + " values, embedding 0 has " + dim);
            }
            double norm = norm(e);
            if (!(norm > 0) || Double.isInfinite(norm)) {
                throw new IllegalArgumentException("embedding " + r + " has norm " + norm + " (zero or not finite)");
            }
            for (int i = 0; i < dim; i++) {
                mean[i] += e[i] / norm;
            }
        }
        double sq = 0;
        for (int i = 0; i < dim; i++) {
            mean[i] /= embeddings.length;
            sq += mean[i] * mean[i];
        }
        double meanNorm = Math.sqrt(sq);
        if (!(meanNorm > 0)) {
            throw new IllegalArgumentException("the normalised embeddings average to zero: no direction");
        }
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = (float) (mean[i] / meanNorm);
        }
        return out;
    }

    private static double norm(float[] v) {
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        return Math.sqrt(sq);
    }
}
