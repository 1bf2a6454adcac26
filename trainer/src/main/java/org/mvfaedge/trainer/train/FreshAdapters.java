package org.mvfaedge.trainer.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * Freshly initialised adapters, deterministic for a seed, drawn from PyTorch's {@code nn.Linear}
 * default distribution ({@code kaiming_uniform_(a=sqrt(5))}, i.e. uniform in
 * {@code +-1/sqrt(fan_in)}). The values are not PyTorch's (another generator), the distribution is.
 */
public final class FreshAdapters {
    private FreshAdapters() {
    }

    /** Fresh adapters shaped for {@code model}'s levels, width and bottleneck. */
    public static AdapterWeights forModel(MvfaModel model, long seed) {
        var v = model.vision();
        return create(v.levels(), v.visual().width(), v.bottleneck(), seed);
    }

    public static AdapterWeights create(int levels, int width, int bottleneck, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> seg = new LinkedHashMap<>();
        Map<String, HostTensor> det = new LinkedHashMap<>();
        for (Map<String, HostTensor> branch : java.util.List.of(seg, det)) {
            for (int l = 0; l < levels; l++) {
                branch.put(l + ".fc1.0.weight", uniform(rng, bottleneck, width));
                branch.put(l + ".fc2.0.weight", uniform(rng, width, bottleneck));
            }
        }
        Path src = Path.of("(fresh, seed " + seed + ")");
        return new AdapterWeights(new StateDict(src, seg), new StateDict(src, det));
    }

    private static HostTensor uniform(SplittableRandom rng, int out, int in) {
        double bound = 1 / Math.sqrt(in);
        float[] v = new float[out * in];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return HostTensor.ofFloats(new long[] {out, in}, v);
    }
}
