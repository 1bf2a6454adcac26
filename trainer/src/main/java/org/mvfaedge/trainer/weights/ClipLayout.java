package org.mvfaedge.trainer.weights;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every tensor of an OpenAI-layout ViT CLIP state dict and its shape for a given config: what a
 * weights file must hold, and what {@link RandomClip} creates. The int scalars
 * ({@code input_resolution}, ...) that some releases carry are optional and not listed.
 */
public final class ClipLayout {
    private ClipLayout() {
    }

    /** Names and shapes, in OpenAI's {@code state_dict()} order. */
    public static Map<String, long[]> shapes(ClipConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long tw = c.textWidth();
        long vw = c.visionWidth();
        m.put("positional_embedding", new long[] {c.contextLength(), tw});
        m.put("text_projection", new long[] {tw, c.embedDim()});
        m.put("logit_scale", new long[] {});
        long p = c.patchSize();
        m.put("visual.class_embedding", new long[] {vw});
        m.put("visual.positional_embedding", new long[] {(long) c.grid() * c.grid() + 1, vw});
        m.put("visual.proj", new long[] {vw, c.embedDim()});
        m.put("visual.conv1.weight", new long[] {vw, 3, p, p});
        m.put("visual.ln_pre.weight", new long[] {vw});
        m.put("visual.ln_pre.bias", new long[] {vw});
        blocks(m, "visual.transformer.resblocks.", c.visionLayers(), vw);
        m.put("visual.ln_post.weight", new long[] {vw});
        m.put("visual.ln_post.bias", new long[] {vw});
        blocks(m, "transformer.resblocks.", c.textLayers(), tw);
        m.put("token_embedding.weight", new long[] {c.vocabSize(), tw});
        m.put("ln_final.weight", new long[] {tw});
        m.put("ln_final.bias", new long[] {tw});
        return m;
    }

    private static void blocks(Map<String, long[]> m, String prefix, int layers, long w) {
        for (int i = 0; i < layers; i++) {
            String b = prefix + i + ".";
            m.put(b + "attn.in_proj_weight", new long[] {3 * w, w});
            m.put(b + "attn.in_proj_bias", new long[] {3 * w});
            m.put(b + "attn.out_proj.weight", new long[] {w, w});
            m.put(b + "attn.out_proj.bias", new long[] {w});
            m.put(b + "ln_1.weight", new long[] {w});
            m.put(b + "ln_1.bias", new long[] {w});
            m.put(b + "mlp.c_fc.weight", new long[] {4 * w, w});
            m.put(b + "mlp.c_fc.bias", new long[] {4 * w});
            m.put(b + "mlp.c_proj.weight", new long[] {w, 4 * w});
            m.put(b + "mlp.c_proj.bias", new long[] {w});
            m.put(b + "ln_2.weight", new long[] {w});
            m.put(b + "ln_2.bias", new long[] {w});
        }
    }

    /**
     * Whether OpenAI's releases store the tensor in fp16 ({@code convert_weights}: conv, linear and
     * attention weights and biases, {@code text_projection}, {@code visual.proj}); the rest is fp32.
     */
    public static boolean storedAsHalf(String name) {
        return name.endsWith("conv1.weight") || name.contains(".attn.") || name.contains(".mlp.")
                || name.equals("text_projection") || name.equals("visual.proj");
    }
}
