package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * CLIP's text tower (OpenAI layout, top-level names), frozen: {@code token_embedding},
 * {@code positional_embedding}, causal transformer, {@code ln_final}, and {@code text_projection}
 * applied at each sequence's end token, found as the position of the largest token id (the end
 * token has the largest id in CLIP's vocabulary). {@link #forward} maps token ids
 * {@code [N, context]} (any integer type) to {@code [N, outputDim]}, not normalised.
 */
public final class TextTransformer extends ArrayBlock {
    private final int width;
    private final int contextLength;
    private final int vocabSize;
    private final int outputDim;
    private final Parameter tokenEmbedding;
    private final Parameter positions;
    private final Parameter projection;
    private final Transformer transformer;
    private final ClipLayerNorm lnFinal;

    public TextTransformer(int width, int depth, int heads, int contextLength, int vocabSize, int outputDim,
            Activation activation) {
        this.width = width;
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.outputDim = outputDim;
        tokenEmbedding = addParameter(Params.frozen("token_embedding_weight", Parameter.Type.WEIGHT, Params.RANDOM,
                vocabSize, width));
        positions = addParameter(Params.frozen("positional_embedding", Parameter.Type.OTHER, Params.RANDOM,
                contextLength, width));
        transformer = addChildBlock("transformer", new Transformer(width, depth, heads, true, activation));
        lnFinal = addChildBlock("ln_final", new ClipLayerNorm(width));
        projection = addParameter(Params.frozen("text_projection", Parameter.Type.WEIGHT, Params.RANDOM,
                width, outputDim));
    }

    public int contextLength() {
        return contextLength;
    }

    public int outputDim() {
        return outputDim;
    }

    /** Encodes token ids {@code [N, contextLength]} to {@code [N, outputDim]}. */
    public NDArray encode(ParameterStore ps, NDArray tokens, boolean training) {
        Shape s = tokens.getShape();
        if (s.dimension() != 2 || s.get(1) != contextLength || s.get(0) < 1) {
            throw new IllegalArgumentException("token ids must be [N, " + contextLength + "] with N >= 1, got " + s
                    + " (tokenize with the model's context length)");
        }
        if (tokens.getDataType().isFloating()) {
            throw new IllegalArgumentException("token ids must be integers, got " + tokens.getDataType());
        }
        long n = s.get(0);
        NDArray ids = tokens.toType(DataType.INT64, false);
        long maxId = ids.max().getLong();
        long minId = ids.min().getLong();
        if (minId < 0 || maxId >= vocabSize) {
            throw new IllegalArgumentException("token ids must be in 0.." + (vocabSize - 1) + ", got " + minId
                    + ".." + maxId + " (tokenizer and CLIP vocabulary differ)");
        }
        NDArray x = Embedding.embedding(ids, ps.getValue(tokenEmbedding, tokens.getDevice(), training),
                SparseFormat.DENSE).singletonOrThrow().add(ps.getValue(positions, tokens.getDevice(), training));
        x = transformer.applyLayers(ps, x, 0, transformer.depth(), training);
        x = lnFinal.apply(ps, x, training);
        // Row of each sequence's end token in the flattened [N * context, width] view.
        NDArray rows = ids.argMax(1).add(ids.getManager().arange(0L, n * contextLength, contextLength)
                .toDevice(ids.getDevice(), false));
        NDArray ends = x.reshape(n * contextLength, width).get(new NDIndex("{}", rows));
        return ends.matMul(ps.getValue(projection, tokens.getDevice(), training));
    }

    /** {@link #encode}: token ids in, text features out. */
    @Override
    public NDArray apply(ParameterStore ps, NDArray tokens, boolean training) {
        return encode(ps, tokens, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(inputShapes[0].get(0), contextLength, width);
        transformer.initialize(manager, dataType, hidden);
        lnFinal.initialize(manager, dataType, hidden);
    }

    /** Input shape to initialise with: {@code [batch, contextLength]}. */
    public Shape inputShape(long batch) {
        return new Shape(batch, contextLength);
    }

    /** Binds the text tower from {@code sd} with OpenAI's top-level names ({@code prefix} is usually empty). */
    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(tokenEmbedding, sd, prefix + "token_embedding.weight");
        Params.bind(positions, sd, prefix + "positional_embedding");
        transformer.bind(sd, prefix + "transformer.");
        lnFinal.bind(sd, prefix + "ln_final.");
        Params.bind(projection, sd, prefix + "text_projection");
    }
}
