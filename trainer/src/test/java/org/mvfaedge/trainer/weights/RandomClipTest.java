package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The random CLIP has OpenAI's layout and the statistics of OpenAI's initialisation. */
class RandomClipTest {
    private static final ClipConfig TINY = ClipConfig.of(32, 28, 2, 128, 14, 16, 1000, 64, 3);

    @Test
    void holdsExactlyTheLayoutPlusTheIntScalars() {
        Map<String, HostTensor> t = RandomClip.create(TINY, 7);
        Set<String> expected = new TreeSet<>(ClipLayout.shapes(TINY).keySet());
        expected.addAll(Set.of("input_resolution", "context_length", "vocab_size"));
        assertEquals(expected, new TreeSet<>(t.keySet()));
        ClipLayout.shapes(TINY).forEach((name, shape) -> assertArrayEquals(shape, t.get(name).shape(), name));
        assertEquals(28, t.get("input_resolution").longs()[0]);
        assertEquals(TINY, ClipConfig.fromStateDict(new StateDict(null, t)));
    }

    @Test
    void theSeedDecidesEveryValue() {
        Map<String, HostTensor> a = RandomClip.create(TINY, 7);
        Map<String, HostTensor> b = RandomClip.create(TINY, 7);
        Map<String, HostTensor> c = RandomClip.create(TINY, 8);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
        }
        assertFalse(Arrays.equals(a.get("token_embedding.weight").floats(), c.get("token_embedding.weight").floats()));
    }

    @Test
    void initialisationFollowsOpenAi() {
        Map<String, HostTensor> t = RandomClip.create(TINY, 1);
        assertEquals(Math.log(1 / 0.07), t.get("logit_scale").item(), 1e-6);
        for (float v : t.get("visual.transformer.resblocks.1.ln_2.weight").floats()) {
            assertEquals(1f, v);
        }
        for (float v : t.get("transformer.resblocks.0.attn.in_proj_bias").floats()) {
            assertEquals(0f, v);
        }
        assertStd(t, "token_embedding.weight", 0.02);
        assertStd(t, "positional_embedding", 0.01);
        assertStd(t, "transformer.resblocks.2.attn.in_proj_weight", Math.pow(64, -0.5));
        assertStd(t, "transformer.resblocks.2.attn.out_proj.weight", Math.pow(64, -0.5) * Math.pow(2 * 3, -0.5));
        assertStd(t, "transformer.resblocks.2.mlp.c_fc.weight", Math.pow(2 * 64, -0.5));
        assertStd(t, "visual.positional_embedding", Math.pow(128, -0.5));
        // xavier_uniform on [3w, w]: U(+-sqrt(6 / 4w)), std bound / sqrt 3.
        double bound = Math.sqrt(6.0 / (4 * 128));
        assertStd(t, "visual.transformer.resblocks.0.attn.in_proj_weight", bound / Math.sqrt(3));
        double max = 0;
        for (float v : t.get("visual.transformer.resblocks.0.attn.in_proj_weight").floats()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.99 * bound, "max |w| " + max + " vs bound " + bound);
    }

    /** Sample std within 5% of the target (n >= 2048 here: the estimate's own error is under 2%). */
    private static void assertStd(Map<String, HostTensor> t, String name, double std) {
        float[] v = t.get(name).floats();
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += (double) x * x;
        }
        double mean = s / v.length;
        double sd = Math.sqrt(s2 / v.length - mean * mean);
        assertEquals(std, sd, 0.05 * std, name + " std (n=" + v.length + ")");
    }
}
