package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * MVFA's {@code CLIP_Inplanted} image path: a frozen {@link VisionTransformer} with a seg and a det
 * {@link ResidualAdapter} after each layer listed in {@code features} (1-based, strictly increasing;
 * the paper uses 6, 12, 18, 24 on ViT-L/14). After layer {@code k = features[j]}:
 * {@code x = 0.8 x + 0.1 seg_j(x).out + 0.1 det_j(x).out}, and the adapters' bottleneck outputs
 * are level {@code j}'s seg and det tokens.
 *
 * <p>{@link #forward} takes {@code [N, 3, S, S]} images and returns an {@link NDList} laid out as
 * {@link MvfaVisionOutput} reads it: pooled embedding {@code [N, embed]} ({@code ln_post(CLS) @ proj}
 * after the last layer), then the seg tokens of every level, then the det tokens of every level,
 * each {@code [N, 1 + grid^2, bottleneck]}, CLS first.
 *
 * <p>Reference quirk: MVFA's loop is hard-coded to {@code range(24)} (ViT-L); here every layer of the
 * loaded network runs.
 *
 * <p>For training, the work splits at the first adapter level: {@link #frozenPrefix} runs the layers
 * up to and including {@code features[0]}, which see only frozen weights (run it outside the
 * gradient tape and cache its output across epochs if you like), and {@link #continueFromPrefix}
 * runs the rest with adapters. Their composition is exactly {@link #forward}.
 */
public final class MvfaVisionModel extends AbstractBlock {
    /** Weights of the residual mix after an adapter level: the paper's, shared with the ONNX graph builder. */
    static final float KEEP = org.mvfaedge.trainer.pipeline.PaperDefaults.RESIDUAL_MIX;
    static final float ADAPTER_SHARE = org.mvfaedge.trainer.pipeline.PaperDefaults.ADAPTER_MIX;

    private final VisionTransformer vit;
    private final int[] features;
    private final int bottleneck;
    private final List<ResidualAdapter> seg = new ArrayList<>();
    private final List<ResidualAdapter> det = new ArrayList<>();

    /**
     * @param vit the frozen image tower
     * @param features 1-based layers followed by an adapter level, strictly increasing, within
     *     {@code 1..depth}
     * @param bottleneck adapter bottleneck width (MVFA: the CLIP embedding size, so that the tokens
     *     can be compared with text features)
     */
    public MvfaVisionModel(VisionTransformer vit, int[] features, int bottleneck) {
        int depth = vit.transformer().depth();
        if (features.length == 0) {
            throw new ModelConfigException("features (adapter levels) is empty: give at least one 1-based layer in 1.."
                    + depth);
        }
        for (int i = 0; i < features.length; i++) {
            if (features[i] < 1 || features[i] > depth) {
                throw new ModelConfigException("feature layer " + features[i] + " is outside 1.." + depth
                        + " (features are 1-based layer numbers of a " + depth + "-layer image tower)");
            }
            if (i > 0 && features[i] <= features[i - 1]) {
                throw new ModelConfigException("features must be strictly increasing, got "
                        + Arrays.toString(features));
            }
        }
        this.vit = addChildBlock("visual", vit);
        this.features = features.clone();
        this.bottleneck = bottleneck;
        for (int i = 0; i < features.length; i++) {
            seg.add(addChildBlock("seg_adapters_" + i, new ResidualAdapter(vit.width(), bottleneck)));
        }
        for (int i = 0; i < features.length; i++) {
            det.add(addChildBlock("det_adapters_" + i, new ResidualAdapter(vit.width(), bottleneck)));
        }
    }

    public VisionTransformer visual() {
        return vit;
    }

    /** The 1-based layers followed by an adapter level. */
    public int[] features() {
        return features.clone();
    }

    public int levels() {
        return features.length;
    }

    public int bottleneck() {
        return bottleneck;
    }

    public ResidualAdapter segAdapter(int level) {
        return seg.get(level);
    }

    public ResidualAdapter detAdapter(int level) {
        return det.get(level);
    }

    /** Every adapter weight (seg levels then det levels, fc1 before fc2): what an optimizer updates. */
    public List<Parameter> adapterParameters() {
        List<Parameter> out = new ArrayList<>();
        for (List<ResidualAdapter> group : List.of(seg, det)) {
            for (ResidualAdapter a : group) {
                out.add(a.fc1());
                out.add(a.fc2());
            }
        }
        return out;
    }

    /** Number of layers in the frozen prefix: {@code features[0]}. */
    public int prefixLayers() {
        return features[0];
    }

    /**
     * Embedding and layers {@code 1..features[0]}: the hidden state {@code [N, T, width]} on which
     * the first adapter level acts. Depends on frozen weights only.
     */
    public NDArray frozenPrefix(ParameterStore ps, NDArray images, boolean training) {
        return vit.applyLayers(ps, vit.embed(ps, images, training), 0, features[0], training);
    }

    /**
     * Continues from {@link #frozenPrefix}'s output: adapter level 0, the remaining layers with their
     * adapter levels, then pooling. Returns the {@link MvfaVisionOutput} layout.
     *
     * <p>DJL attaches each result to its left operand's manager, so the outputs and temporaries
     * land in {@code hidden}'s manager. To reuse a prefix cached in a long-lived manager, attach it
     * to the step's manager for the step ({@code hidden.tempAttach(stepManager)}): it returns to
     * the cache when the step's manager closes, and the step's arrays go with it.
     */
    public NDList continueFromPrefix(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray x = hidden;
        NDList segTokens = new NDList(features.length);
        NDList detTokens = new NDList(features.length);
        int done = features[0];
        for (int j = 0; j < features.length; j++) {
            x = vit.applyLayers(ps, x, done, features[j], training);
            done = features[j];
            NDList s = seg.get(j).apply(ps, x, training);
            NDList d = det.get(j).apply(ps, x, training);
            // Same evaluation order as the reference: (0.8 x + 0.1 seg) + 0.1 det.
            x = Scalars.mul(x, KEEP).add(Scalars.mul(s.get(1), ADAPTER_SHARE))
                    .add(Scalars.mul(d.get(1), ADAPTER_SHARE));
            segTokens.add(s.get(0));
            detTokens.add(d.get(0));
        }
        x = vit.applyLayers(ps, x, done, vit.transformer().depth(), training);
        NDList out = new NDList(1 + 2 * features.length);
        out.add(vit.pool(ps, x, training));
        out.addAll(segTokens);
        out.addAll(detTokens);
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return continueFromPrefix(ps, frozenPrefix(ps, inputs.singletonOrThrow(), training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        Shape[] out = new Shape[1 + 2 * features.length];
        out[0] = new Shape(n, vit.outputDim());
        for (int i = 1; i < out.length; i++) {
            out[i] = new Shape(n, vit.tokens(), bottleneck);
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        vit.initialize(manager, dataType, inputShapes);
        Shape tokens = new Shape(inputShapes[0].get(0), vit.tokens(), vit.width());
        for (List<ResidualAdapter> group : List.of(seg, det)) {
            for (ResidualAdapter a : group) {
                a.initialize(manager, dataType, tokens);
            }
        }
    }

    /**
     * Binds the adapters to MVFA checkpoint state dicts: {@code <level>.fc1.0.weight} and
     * {@code <level>.fc2.0.weight} for each level (0-based position in {@code features}).
     */
    public void bindAdapters(StateDict segAdapters, StateDict detAdapters) {
        for (int j = 0; j < features.length; j++) {
            seg.get(j).bind(segAdapters, j + ".");
            det.get(j).bind(detAdapters, j + ".");
        }
    }

    /** The input shape to initialise with: {@code [batch, 3, grid * patch, grid * patch]}. */
    public Shape inputShape(long batch) {
        return new Shape(batch, 3, vit.minImageSize(), vit.minImageSize());
    }
}
