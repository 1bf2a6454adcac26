package org.mvfaedge.trainer.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench forward}: loads a CLIP checkpoint (timing the load and the heap it takes) and times
 * the MVFA image model's forward pass on DJL at a given size and batch. Prints one JSON line, to be
 * set beside {@code ../shared/bench/reference_torch.py}'s figures from the same machine.
 */
@Command(name = "bench-forward", mixinStandardHelpOptions = true,
        description = "Time CLIP loading and the DJL forward pass (ViT + adapters); prints one JSON line.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--clip", required = true, paramLabel = "FILE", description = "CLIP weights (e.g. from init-clip).")
    Path clip;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--batch", defaultValue = "1", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeat", defaultValue = "3", description = "Timed repetitions after one warm-up (default ${DEFAULT-VALUE}).")
    int repeat;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        ClipWeights weights = ClipWeights.load(clip);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long heapAfterLoad = usedHeap();
        MvfaSettings settings = new MvfaSettings(clip, null, PromptConfig.builtIn(), shape.imgSize, shape.features,
                Activation.GELU, null);
        long t1 = System.nanoTime();
        ObjectNode o = new ObjectMapper().createObjectNode();
        try (MvfaModel model = MvfaModel.create(settings, weights, null)) {
            double buildSeconds = (System.nanoTime() - t1) / 1e9;
            float[] images = new float[batch * 3 * shape.imgSize * shape.imgSize];
            Random r = new Random(0);
            for (int i = 0; i < images.length; i++) {
                images[i] = r.nextFloat();
            }
            runOnce(model, images);
            long t2 = System.nanoTime();
            for (int i = 0; i < repeat; i++) {
                runOnce(model, images);
            }
            double fwd = (System.nanoTime() - t2) / 1e9 / repeat;
            o.put("clip", clip.getFileName().toString());
            o.put("config", weights.config().toString());
            o.put("img_size", shape.imgSize);
            o.put("batch", batch);
            o.put("cores", Runtime.getRuntime().availableProcessors());
            o.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            o.put("load_s", round(loadSeconds));
            o.put("heap_after_load_mb", heapAfterLoad >> 20);
            o.put("peak_heap_mb", peakHeap() >> 20);
            o.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
            o.put("build_s", round(buildSeconds));
            o.put("forward_s_per_batch", round(fwd));
            o.put("forward_s_per_image", round(fwd / batch));
        }
        spec.commandLine().getOut().println(o.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void runOnce(MvfaModel model, float[] images) {
        try (NDManager sub = model.manager().newSubManager()) {
            MvfaVisionOutput out = model.forward(sub, images, images.length / (3 * model.settings().imageSize()
                    * model.settings().imageSize()), false);
            out.pooled().toFloatArray();
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    static long usedHeap() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
