package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * CLIP's image tower (OpenAI layout, {@code visual.*}), frozen: patch embedding {@code conv1}
 * (no bias, stride = patch), class token, position table, {@code ln_pre}, transformer,
 * {@code ln_post} on the class token, {@code proj}.
 *
 * <p>The position table is the one for this run's grid ({@code grid = imageSize / patch}), already
 * resized from the checkpoint's native grid; it is bound with {@link #bindPositions}. Pixels beyond
 * {@code grid * patch} are never seen (the strided convolution drops them, as with 240 and patch 14).
 * Input {@code [N, 3, S, S]} with {@code S / patch == grid}; {@link #forward} returns the pooled
 * embedding {@code [N, outputDim]}.
 */
public final class VisionTransformer extends AbstractBlock implements StateDictLoadable {
    private final int width;
    private final int patch;
    private final int grid;
    private final int outputDim;
    private final Parameter conv1;
    private final Parameter classEmbedding;
    private final Parameter positions;
    private final Parameter proj;
    private final ClipLayerNorm lnPre;
    private final Transformer transformer;
    private final ClipLayerNorm lnPost;

    /**
     * @param width transformer width
     * @param depth number of layers
     * @param heads attention heads (CLIP: width / 64)
     * @param patch patch size in pixels
     * @param grid patches per side at this run's image size ({@code imageSize / patch})
     * @param outputDim embedding size after {@code proj}
     */
    public VisionTransformer(int width, int depth, int heads, int patch, int grid, int outputDim,
            Activation activation) {
        if (patch < 1 || grid < 1) {
            throw new ModelConfigException("image too small for patch " + patch + ": grid " + grid
                    + " (the image size must be at least one patch)");
        }
        this.width = width;
        this.patch = patch;
        this.grid = grid;
        this.outputDim = outputDim;
        conv1 = addParameter(Params.frozen("conv1_weight", Parameter.Type.WEIGHT, Params.RANDOM,
                width, 3, patch, patch));
        classEmbedding = addParameter(Params.frozen("class_embedding", Parameter.Type.OTHER, Params.RANDOM, width));
        positions = addParameter(Params.frozen("positional_embedding", Parameter.Type.OTHER, Params.RANDOM,
                1L + (long) grid * grid, width));
        lnPre = addChildBlock("ln_pre", new ClipLayerNorm(width));
        transformer = addChildBlock("transformer", new Transformer(width, depth, heads, false, activation));
        lnPost = addChildBlock("ln_post", new ClipLayerNorm(width));
        proj = addParameter(Params.frozen("proj", Parameter.Type.WEIGHT, Params.RANDOM, width, outputDim));
    }

    public int width() {
        return width;
    }

    public int patchSize() {
        return patch;
    }

    public int gridSize() {
        return grid;
    }

    /** Tokens per image: class token plus {@code grid * grid} patches. */
    public int tokens() {
        return 1 + grid * grid;
    }

    public int outputDim() {
        return outputDim;
    }

    public Transformer transformer() {
        return transformer;
    }

    /** The smallest image side that gives this grid; sides up to {@code (grid + 1) * patch - 1} also do. */
    public int minImageSize() {
        return grid * patch;
    }

    /**
     * Patch embedding, class token, positions and {@code ln_pre}: {@code [N, 3, S, S] -> [N, T, w]},
     * the input of the first transformer layer.
     */
    public NDArray embed(ParameterStore ps, NDArray images, boolean training) {
        checkImages(images.getShape());
        long n = images.getShape().get(0);
        NDArray w = ps.getValue(conv1, images.getDevice(), training);
        NDArray patches = Conv2d.conv2d(images, w, null, new Shape(patch, patch)).singletonOrThrow(); // [N,w,G,G]
        NDArray seq = patches.reshape(n, width, (long) grid * grid).transpose(0, 2, 1); // [N,G*G,w]
        // Ops return arrays owned by their left operand's manager; move the reshaped class token to
        // the input's manager so that per-batch temporaries never pile up in the model's manager.
        NDArray clsRow = ps.getValue(classEmbedding, images.getDevice(), training).reshape(1, 1, width);
        clsRow.attach(images.getManager());
        NDArray cls = clsRow.broadcast(n, 1, width);
        NDArray x = NDArrays.concat(new NDList(cls, seq), 1)
                .add(ps.getValue(positions, images.getDevice(), training));
        return lnPre.apply(ps, x, training);
    }

    /** Runs transformer layers {@code from} (inclusive, 0-based) to {@code to} (exclusive). */
    public NDArray applyLayers(ParameterStore ps, NDArray x, int from, int to, boolean training) {
        return transformer.applyLayers(ps, x, from, to, training);
    }

    /** {@code ln_post(x[:, 0]) @ proj}: {@code [N, T, w] -> [N, outputDim]}. */
    public NDArray pool(ParameterStore ps, NDArray x, boolean training) {
        NDArray cls = lnPost.apply(ps, x.get(new NDIndex(":, 0, :")), training);
        return cls.matMul(ps.getValue(proj, x.getDevice(), training));
    }

    private void checkImages(Shape s) {
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != s.get(3) || s.get(0) < 1) {
            throw new IllegalArgumentException("images must be [N, 3, S, S] with N >= 1, got " + s);
        }
        if (s.get(2) / patch != grid) {
            throw new IllegalArgumentException("image side " + s.get(2) + " gives a " + s.get(2) / patch
                    + "x" + s.get(2) / patch + " grid with patch " + patch + ", but this model's position table is for "
                    + grid + "x" + grid + " (image side " + grid * patch + " to " + ((grid + 1) * patch - 1) + ")");
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = embed(ps, inputs.singletonOrThrow(), training);
        x = transformer.applyLayers(ps, x, 0, transformer.depth(), training);
        return new NDList(pool(ps, x, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = new Shape(inputShapes[0].get(0), tokens(), width);
        lnPre.initialize(manager, dataType, tokens);
        transformer.initialize(manager, dataType, tokens);
        lnPost.initialize(manager, dataType, new Shape(inputShapes[0].get(0), width));
    }

    /**
     * Binds the CLIP image tower from {@code sd} with OpenAI names under {@code prefix}
     * (normally {@code "visual."}), except the position table: the checkpoint's is for the native
     * grid, this run needs the resized one ({@link #bindPositions}).
     */
    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(conv1, sd, prefix + "conv1.weight");
        Params.bind(classEmbedding, sd, prefix + "class_embedding");
        lnPre.bind(sd, prefix + "ln_pre.");
        transformer.bind(sd, prefix + "transformer.");
        lnPost.bind(sd, prefix + "ln_post.");
        Params.bind(proj, sd, prefix + "proj");
    }

    /** Binds the position table resized to this run's grid, {@code [1 + grid^2, width]}. */
    public void bindPositions(HostTensor resized) {
        long[] want = positions.getShape().getShape();
        if (!Arrays.equals(resized.shape(), want)) {
            throw new ModelConfigException("position table has shape " + Arrays.toString(resized.shape())
                    + " but a " + grid + "x" + grid + " grid of width " + width + " needs " + Arrays.toString(want)
                    + ": resize the checkpoint's table to the run's grid (img_size / patch) first");
        }
        positions.setInitializer(new PretrainedValue("positional_embedding (resized)", resized));
    }
}
