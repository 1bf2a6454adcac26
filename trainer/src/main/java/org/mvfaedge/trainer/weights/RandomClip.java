package org.mvfaedge.trainer.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A randomly initialised CLIP in OpenAI's layout, initialised as OpenAI's {@code clip/model.py}
 * does: {@code CLIP.initialize_parameters} for the text side, {@code VisionTransformer.__init__}'s
 * {@code width^-0.5 * randn} for the class embedding, vision position table and projection, and
 * PyTorch's default initialisers for everything else (conv and linear: kaiming-uniform with a = sqrt 5,
 * i.e. U(+-1/sqrt(fan_in)) for weight and bias; attention in_proj: xavier-uniform, biases 0; layer
 * norms: weight 1, bias 0). For tests, benchmarks and the demo where OpenAI's weights are not at hand.
 *
 * <p>Each tensor draws from its own generator seeded from (seed, tensor index), so the result
 * depends on the seed only, not on thread scheduling.
 */
public final class RandomClip {
    /** OpenAI's {@code logit_scale} initial value, log(1 / 0.07). */
    public static final float LOGIT_SCALE = (float) Math.log(1 / 0.07);

    private RandomClip() {
    }

    /** Every tensor of {@link ClipLayout#shapes} plus the int scalars, float32 on the heap. */
    public static Map<String, HostTensor> create(ClipConfig c, long seed) {
        Map<String, long[]> shapes = ClipLayout.shapes(c);
        List<String> names = new ArrayList<>(shapes.keySet());
        HostTensor[] made = new HostTensor[names.size()];
        IntStream.range(0, names.size()).parallel().forEach(i -> {
            String name = names.get(i);
            long[] shape = shapes.get(name);
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            made[i] = HostTensor.ofFloats(shape, init(c, name, shape, rng));
        });
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < made.length; i++) {
            out.put(names.get(i), made[i]);
        }
        // The int scalars of OpenAI's released state dicts.
        out.put("input_resolution", scalar(c.imageSize()));
        out.put("context_length", scalar(c.contextLength()));
        out.put("vocab_size", scalar(c.vocabSize()));
        return out;
    }

    private static HostTensor scalar(long v) {
        return HostTensor.ofLongs(new long[] {}, new long[] {v}, HostTensor.DType.I64);
    }

    private static float[] init(ClipConfig c, String name, long[] shape, SplittableRandom rng) {
        int n = (int) HostTensor.numel(shape);
        boolean vision = name.startsWith("visual.");
        double tw = c.textWidth();
        double vw = c.visionWidth();
        if (name.equals("logit_scale")) {
            return new float[] {LOGIT_SCALE};
        }
        if (name.contains("ln_") && name.endsWith(".weight")) {
            return filled(n, 1f);
        }
        if (name.contains("ln_") && name.endsWith(".bias")) {
            return new float[n];
        }
        switch (name) {
            case "token_embedding.weight":
                return normal(n, 0.02, rng);
            case "positional_embedding":
                return normal(n, 0.01, rng);
            case "text_projection":
                return normal(n, Math.pow(tw, -0.5), rng);
            case "visual.class_embedding", "visual.positional_embedding", "visual.proj":
                return normal(n, Math.pow(vw, -0.5), rng);
            case "visual.conv1.weight":
                return uniform(n, 1 / Math.sqrt(shape[1] * shape[2] * shape[3]), rng);
            default:
                break;
        }
        // Transformer blocks. MultiheadAttention zeroes in_proj_bias and out_proj.bias.
        if (name.endsWith("attn.in_proj_bias") || name.endsWith("attn.out_proj.bias")) {
            return new float[n];
        }
        if (!vision) {
            // CLIP.initialize_parameters overrides the text transformer's weights (not its biases).
            double projStd = Math.pow(tw, -0.5) * Math.pow(2.0 * c.textLayers(), -0.5);
            if (name.endsWith("attn.in_proj_weight")) {
                return normal(n, Math.pow(tw, -0.5), rng);
            }
            if (name.endsWith("attn.out_proj.weight") || name.endsWith("mlp.c_proj.weight")) {
                return normal(n, projStd, rng);
            }
            if (name.endsWith("mlp.c_fc.weight")) {
                return normal(n, Math.pow(2 * tw, -0.5), rng);
            }
        } else if (name.endsWith("attn.in_proj_weight")) {
            // xavier_uniform_ on [3w, w]: bound sqrt(6 / (fan_in + fan_out)).
            return uniform(n, Math.sqrt(6.0 / (shape[0] + shape[1])), rng);
        }
        // nn.Linear defaults for the remaining weights and biases: U(+-1/sqrt(fan_in)).
        String layer = name.substring(0, name.lastIndexOf('.'));
        long fanIn = layer.endsWith("c_fc") || layer.endsWith("out_proj") ? (long) (vision ? vw : tw)
                : 4L * (long) (vision ? vw : tw);
        return uniform(n, 1 / Math.sqrt(fanIn), rng);
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }

    private static float[] normal(int n, double std, SplittableRandom rng) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (std * rng.nextGaussian());
        }
        return f;
    }

    private static float[] uniform(int n, double bound, SplittableRandom rng) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rng.nextDouble(-bound, bound);
        }
        return f;
    }
}
