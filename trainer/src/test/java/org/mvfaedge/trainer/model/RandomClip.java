package org.mvfaedge.trainer.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A seeded random CLIP in OpenAI's state-dict layout, of any size: the second configuration the
 * blocks must handle without a single shape constant of the tiny fixture.
 */
final class RandomClip {
    final int visionWidth;
    final int visionLayers;
    final int patch;
    final int nativeGrid;
    final int textWidth;
    final int textLayers;
    final int context;
    final int vocab;
    final int embed;
    private final Random random;
    private final Map<String, HostTensor> tensors = new LinkedHashMap<>();

    RandomClip(long seed, int visionWidth, int visionLayers, int patch, int nativeGrid, int textWidth,
            int textLayers, int context, int vocab, int embed) {
        this.visionWidth = visionWidth;
        this.visionLayers = visionLayers;
        this.patch = patch;
        this.nativeGrid = nativeGrid;
        this.textWidth = textWidth;
        this.textLayers = textLayers;
        this.context = context;
        this.vocab = vocab;
        this.embed = embed;
        this.random = new Random(seed);
        put("visual.conv1.weight", 0.1, visionWidth, 3, patch, patch);
        put("visual.class_embedding", 0.5, visionWidth);
        put("visual.positional_embedding", 0.5, 1 + nativeGrid * nativeGrid, visionWidth);
        norm("visual.ln_pre.", visionWidth);
        blocks("visual.transformer.resblocks.", visionLayers, visionWidth);
        norm("visual.ln_post.", visionWidth);
        put("visual.proj", 0.2, visionWidth, embed);
        put("token_embedding.weight", 0.5, vocab, textWidth);
        put("positional_embedding", 0.5, context, textWidth);
        blocks("transformer.resblocks.", textLayers, textWidth);
        norm("ln_final.", textWidth);
        put("text_projection", 0.2, textWidth, embed);
    }

    StateDict stateDict() {
        return new StateDict(Path.of("random-clip.safetensors"), tensors);
    }

    /** A random position table for a run grid (the resize itself is another component's job). */
    HostTensor positionsFor(int grid) {
        return gaussian(0.5, 1 + grid * grid, visionWidth);
    }

    private void blocks(String prefix, int layers, int w) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            norm(p + "ln_1.", w);
            put(p + "attn.in_proj_weight", 0.15, 3 * w, w);
            put(p + "attn.in_proj_bias", 0.1, 3 * w);
            put(p + "attn.out_proj.weight", 0.15, w, w);
            put(p + "attn.out_proj.bias", 0.1, w);
            norm(p + "ln_2.", w);
            put(p + "mlp.c_fc.weight", 0.15, 4 * w, w);
            put(p + "mlp.c_fc.bias", 0.1, 4 * w);
            put(p + "mlp.c_proj.weight", 0.1, w, 4 * w);
            put(p + "mlp.c_proj.bias", 0.1, w);
        }
    }

    private void norm(String prefix, int w) {
        HostTensor g = gaussian(0.1, w);
        float[] v = g.floats().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f;
        }
        tensors.put(prefix + "weight", HostTensor.ofFloats(new long[] {w}, v));
        put(prefix + "bias", 0.1, w);
    }

    private void put(String name, double std, long... shape) {
        tensors.put(name, gaussian(std, shape));
    }

    private HostTensor gaussian(double std, long... shape) {
        float[] v = new float[(int) HostTensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return HostTensor.ofFloats(shape, v);
    }

    /** Seg or det adapter state dict with every weight equal to {@code value}. */
    static StateDict constantAdapters(int levels, int width, int bottleneck, float value) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (int k = 0; k < levels; k++) {
            float[] a = new float[width * bottleneck];
            java.util.Arrays.fill(a, value);
            m.put(k + ".fc1.0.weight", HostTensor.ofFloats(new long[] {bottleneck, width}, a));
            m.put(k + ".fc2.0.weight", HostTensor.ofFloats(new long[] {width, bottleneck}, a.clone()));
        }
        return new StateDict(Path.of("constant-adapters.pth"), m);
    }
}
