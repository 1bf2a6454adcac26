package org.mvfaedge.trainer.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.image.Augmentation;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.model.ClipLoader;
import org.mvfaedge.trainer.model.ModelConfigException;
import org.mvfaedge.trainer.model.MvfaVisionModel;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.model.TextTransformer;
import org.mvfaedge.trainer.text.BpeTokenizer;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.text.PromptEnsemble;
import org.mvfaedge.trainer.text.TextFeatures;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.PositionEmbedding;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The one factory of the trainer (as open_clip's {@code create_model}): a CLIP checkpoint, the run's
 * image size, adapter levels and activation, and optionally adapter weights, give the MVFA image model
 * (frozen CLIP ViT + residual adapters) and, lazily, the text tower and prompt-ensemble text features
 * per object. Owns every native array it creates: close it to free them.
 *
 * <p>Not thread-safe (DJL managers are not); use one instance per thread.
 */
public final class MvfaModel implements AutoCloseable {
    /**
     * The {@code --bpe} value that selects the built-in byte-level tokenizer (no merges: 256 * 2 + 2 =
     * 514 ids in CLIP's layout), for CLIPs with that vocabulary such as the demo's; the project may ship
     * it, unlike CLIP's merges. A file of that name is written {@code ./bytes}.
     */
    public static final String BYTE_LEVEL_BPE = "bytes";

    private final MvfaSettings settings;
    private final ClipWeights clip;
    private final NDManager manager;
    private final MvfaVisionModel vision;
    private final Map<String, TextFeatures> textFeatures = new HashMap<>();
    private TextTransformer text;
    private PromptEnsemble prompts;

    private MvfaModel(MvfaSettings settings, ClipWeights clip, NDManager manager, MvfaVisionModel vision) {
        this.settings = settings;
        this.clip = clip;
        this.manager = manager;
        this.vision = vision;
    }

    /** Loads CLIP and the adapters named in the settings (fresh adapters when none is given). */
    public static MvfaModel load(MvfaSettings settings) {
        ClipWeights clip = ClipWeights.load(settings.clip());
        AdapterWeights adapters = settings.adapters() == null ? null : AdapterCheckpoint.read(settings.adapters());
        return create(settings, clip, adapters);
    }

    /** Builds the model from weights already in memory. */
    public static MvfaModel create(MvfaSettings settings, ClipWeights clip, AdapterWeights adapters) {
        ClipConfig config = clip.config();
        int grid = config.gridFor(settings.imageSize());
        if (adapters != null) {
            adapters.validateFor(settings.features(), config.visionWidth(), config.embedDim());
        }
        HostTensor positions = resizedPositions(clip, grid);
        NDManager manager = NDManager.newBaseManager();
        try {
            MvfaVisionModel vision = ClipLoader.mvfaVision(manager, clip.tensors(), positions, settings.imageSize(),
                    settings.features(), settings.activation(), adapters == null ? null : adapters.seg(),
                    adapters == null ? null : adapters.det());
            return new MvfaModel(settings, clip, manager, vision);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The position table resized from CLIP's native grid to the run's grid (MVFA's
     * {@code resize_pos_embed}); the native table itself when the grids agree.
     */
    public static HostTensor resizedPositions(ClipWeights clip, int grid) {
        ClipConfig c = clip.config();
        float[] table = clip.floats("visual.positional_embedding");
        float[] resized = PositionEmbedding.resize(table, c.visionWidth(), c.grid(), grid);
        return HostTensor.ofFloats(new long[] {(long) grid * grid + 1, c.visionWidth()}, resized);
    }

    public MvfaSettings settings() {
        return settings;
    }

    public ClipConfig clipConfig() {
        return clip.config();
    }

    public ClipWeights clipWeights() {
        return clip;
    }

    public MvfaVisionModel vision() {
        return vision;
    }

    /** The manager that owns the parameters (create per-call sub-managers from it). */
    public NDManager manager() {
        return manager;
    }

    /** Tokens per image including CLS: {@code 1 + grid^2}. */
    public int tokens() {
        int g = grid();
        return 1 + g * g;
    }

    public int grid() {
        return clip.config().gridFor(settings.imageSize());
    }

    /**
     * Runs the image model on {@code n} preprocessed images ({@code [n, 3, S, S]} floats, CHW per
     * image); the outputs live in {@code target}, which the caller closes.
     */
    public MvfaVisionOutput forward(NDManager target, float[] images, int n, boolean training) {
        int s = settings.imageSize();
        if (images.length != (long) n * 3 * s * s) {
            throw new IllegalArgumentException("expected " + n + " images of 3 x " + s + " x " + s + ", got "
                    + images.length + " values");
        }
        NDArray in = target.create(images, new Shape(n, 3, s, s));
        NDList out = vision.forward(new ParameterStore(target, false), new NDList(in), training);
        return new MvfaVisionOutput(out, vision.levels());
    }

    /** Prompt-ensemble text features [embed, 2] of an object (computed once per object, then cached). */
    public TextFeatures textFeatures(ObjectInfo object) {
        return textFeatures.computeIfAbsent(object.name(), k -> computeTextFeatures(object));
    }

    /** The text features as an array in {@code target} ({@code [embed, 2]}). */
    public NDArray textFeatureArray(NDManager target, ObjectInfo object) {
        TextFeatures t = textFeatures(object);
        return target.create(t.data(), new Shape(t.embedDim(), 2));
    }

    private TextFeatures computeTextFeatures(ObjectInfo object) {
        if (settings.bpe() == null) {
            throw new IllegalStateException("text features need CLIP's BPE merges: pass --bpe bpe_simple_vocab_16e6.txt.gz");
        }
        if (text == null) {
            text = ClipLoader.text(manager, clip.tensors(), settings.activation());
            BpeTokenizer tokenizer = tokenizer(settings.bpe(), clip.config());
            prompts = new PromptEnsemble(settings.promptConfig(), tokenizer, clip.config().contextLength());
        }
        return prompts.textFeatures(object, this::encodeText);
    }

    /** Sentences per text-tower pass: bounds native memory (a ViT-L text tower on 245 prompts at once needs gigabytes). */
    static final int TEXT_CHUNK = 16;

    private float[][] encodeText(int[][] tokens) {
        int n = tokens.length;
        float[][] rows = new float[n][];
        for (int from = 0; from < n; from += TEXT_CHUNK) {
            int b = Math.min(TEXT_CHUNK, n - from);
            int ctx = tokens[from].length;
            long[] flat = new long[b * ctx];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < ctx; j++) {
                    flat[i * ctx + j] = tokens[from + i][j];
                }
            }
            // Each chunk's intermediates live in their own manager, freed before the next chunk.
            try (NDManager sub = manager.newSubManager()) {
                float[] e = text.encode(new ParameterStore(sub, false), sub.create(flat, new Shape(b, ctx)), false)
                        .toFloatArray();
                int d = e.length / b;
                for (int i = 0; i < b; i++) {
                    rows[from + i] = Arrays.copyOfRange(e, i * d, (i + 1) * d);
                }
            }
        }
        return rows;
    }

    /**
     * The tokenizer {@code --bpe} names: the byte-level one for {@link #BYTE_LEVEL_BPE}, else the merges
     * file. The byte-level ids only mean the right thing to a CLIP trained with that vocabulary, so a
     * CLIP with another vocabulary size is refused rather than fed mismatched ids.
     */
    public static BpeTokenizer tokenizer(Path bpe, ClipConfig config) {
        if (!bpe.toString().equals(BYTE_LEVEL_BPE)) {
            return BpeTokenizer.load(bpe);
        }
        BpeTokenizer bytes = new BpeTokenizer(List.of());
        if (config.vocabSize() != bytes.vocabSize()) {
            throw new ModelConfigException("--bpe " + BYTE_LEVEL_BPE + " is the byte-level vocabulary of "
                    + bytes.vocabSize() + " ids, but this CLIP has " + config.vocabSize()
                    + ": pass the CLIP's own merges file (bpe_simple_vocab_16e6.txt.gz for OpenAI's)");
        }
        return bytes;
    }

    /**
     * The few-shot memory bank from normal support images (preprocessed CHW floats): each image is
     * augmented as in training ({@link Augmentation}, 11 views), run through the model, and all its
     * tokens go into the bank, shot-major as the reference stacks them.
     */
    public MemoryBank memoryBank(List<float[]> supportImages, int batch) {
        int s = settings.imageSize();
        int per = 3 * s * s;
        MemoryBank.Builder builder = MemoryBank.builder();
        List<float[]> views = new ArrayList<>();
        for (float[] img : supportImages) {
            float[] aug = Augmentation.augment(img, 3, s, s);
            for (int v = 0; v < Augmentation.COUNT; v++) {
                views.add(Arrays.copyOfRange(aug, v * per, (v + 1) * per));
            }
        }
        for (int from = 0; from < views.size(); from += batch) {
            int n = Math.min(batch, views.size() - from);
            float[] chunk = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(views.get(from + i), 0, chunk, i * per, per);
            }
            try (NDManager sub = manager.newSubManager()) {
                MvfaVisionOutput out = forward(sub, chunk, n, false);
                List<NDArray> seg = out.segTokens();
                List<NDArray> det = out.detTokens();
                builder.add(seg, det);
            }
        }
        return builder.build(manager);
    }

    /** The current adapter weights (host copies), in the MVFA checkpoint layout. */
    public AdapterWeights adapterWeights() {
        Map<String, HostTensor> seg = new LinkedHashMap<>();
        Map<String, HostTensor> det = new LinkedHashMap<>();
        for (int l = 0; l < vision.levels(); l++) {
            seg.put(l + ".fc1.0.weight", host(vision.segAdapter(l).fc1()));
            seg.put(l + ".fc2.0.weight", host(vision.segAdapter(l).fc2()));
            det.put(l + ".fc1.0.weight", host(vision.detAdapter(l).fc1()));
            det.put(l + ".fc2.0.weight", host(vision.detAdapter(l).fc2()));
        }
        Path src = Path.of("(in memory)");
        return new AdapterWeights(new StateDict(src, seg), new StateDict(src, det));
    }

    private static HostTensor host(Parameter p) {
        NDArray a = p.getArray();
        return HostTensor.ofFloats(a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray());
    }

    /** The prompt configuration (object table) of this model's settings. */
    public PromptConfig promptConfig() {
        return settings.promptConfig();
    }

    @Override
    public void close() {
        manager.close();
    }
}
