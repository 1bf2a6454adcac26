package org.mvfaedge.sdk.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.mvfaedge.sdk.image.Augmentation;

/**
 * The configuration a golden fixture was made with, as its {@code fixture.json} records it, and every
 * count that follows from it (grid, tokens, adapter tensors, memory-bank rows). Tests take the shape
 * of the model from here instead of repeating tiny-a's numbers, so a fixture the generator made for
 * another configuration (width, depth, patch, image size, levels) runs through the same tests.
 *
 * <p>The fixture folder is {@link Fixtures#fixture()}: {@code -Dmvfa.fixture=PATH}, by default
 * {@code <shared>/fixtures/mvfa-tiny-a}. A fixture.json without a field the tests need fails naming the
 * file and the field.
 */
public final class FixtureConfig {
    /** System property that chooses the fixture folder. */
    public static final String PROPERTY = "mvfa.fixture";
    /** The default fixture, relative to the shared folder. */
    public static final String DEFAULT = "fixtures/mvfa-tiny-a";
    /** MVFA's two adapter branches per level, in the order the reference's checkpoints and dumps list them. */
    public static final List<String> BRANCHES = List.of("seg", "det");
    /** The weights of one residual adapter (MVFA's adapters have no biases): fc1 then fc2. */
    public static final List<String> ADAPTER_LAYERS = List.of("fc1", "fc2");
    /** OpenAI's ViT heads: one per 64 channels (the README's "2 heads (width/64)"). */
    public static final int HEAD_WIDTH = 64;

    private static final Map<Path, FixtureConfig> CACHE = new ConcurrentHashMap<>();
    private static final Pattern FORWARD_IMAGE = Pattern.compile("img(\\d+)");
    private static final Pattern ZERO_MAP = Pattern.compile("zero_(.+)_pixel_map\\.npy");

    private final Path dir;
    private final JsonNode json;
    private final String name;
    private final int imgSize;
    private final int[] features;
    private final String activation;
    private final int embedDim;
    private final int bottleneck;
    private final int nativeImageSize;
    private final int visionLayers;
    private final int visionWidth;
    private final int patchSize;
    private final int contextLength;
    private final int vocabSize;
    private final int textWidth;
    private final int textHeads;
    private final int textLayers;
    private final Map<String, String> objects;
    private final List<String> supportImages;
    private final List<TrainStep> trainSteps;

    /** One of the reference's recorded training steps ({@code train_steps} in fixture.json). */
    public record TrainStep(int step, String object, String image, float label, JsonNode losses) {
        /** A step with a pixel mask has seg, focal and dice losses; an image-level one only det. */
        public boolean hasSegLoss() {
            return losses.has("seg_loss");
        }

        public double loss(String name) {
            JsonNode v = losses.get(name);
            if (v == null || !v.isNumber()) {
                throw new AssertionError("train step " + step + " of fixture.json has no number '" + name + "'");
            }
            return v.asDouble();
        }
    }

    private FixtureConfig(Path dir) {
        this.dir = dir;
        Path file = dir.resolve("fixture.json");
        try {
            this.json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read the fixture's configuration " + file + ": " + e.getMessage(), e);
        }
        name = text("/config");
        imgSize = positive("/img_size");
        JsonNode f = require("/features");
        if (!f.isArray() || f.isEmpty()) {
            throw bad("/features", "a non-empty list of 1-based layer numbers");
        }
        features = new int[f.size()];
        for (int k = 0; k < features.length; k++) {
            features[k] = f.get(k).asInt();
        }
        // "gelu (MVFA create_model builds CLIP without quick_gelu)": the name is the first word.
        activation = text("/activation").trim().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        embedDim = positive("/embed_dim");
        bottleneck = positive("/adapter_bottleneck");
        nativeImageSize = positive("/vision/image_size");
        visionLayers = positive("/vision/layers");
        visionWidth = positive("/vision/width");
        patchSize = positive("/vision/patch_size");
        contextLength = positive("/text/context_length");
        vocabSize = positive("/text/vocab_size");
        textWidth = positive("/text/width");
        textHeads = positive("/text/heads");
        textLayers = positive("/text/layers");
        Map<String, String> o = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = require("/objects").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            o.put(e.getKey(), e.getValue().asText());
        }
        objects = Collections.unmodifiableMap(o);
        List<String> s = new ArrayList<>();
        require("/memory_support_images").forEach(n -> s.add(n.asText()));
        supportImages = List.copyOf(s);
        List<TrainStep> steps = new ArrayList<>();
        for (JsonNode st : require("/train_steps")) {
            steps.add(new TrainStep(st.path("step").asInt(), st.path("object").asText(), st.path("image").asText(),
                    (float) st.path("label").asDouble(), st));
        }
        trainSteps = List.copyOf(steps);
    }

    /** The configuration of the fixture the tests use ({@link Fixtures#fixture()}); skips where it is absent. */
    public static FixtureConfig get() {
        return of(Fixtures.fixture());
    }

    /** The configuration of the fixture in {@code dir} (read once per folder). */
    public static FixtureConfig of(Path dir) {
        return CACHE.computeIfAbsent(dir.toAbsolutePath().normalize(), FixtureConfig::new);
    }

    private JsonNode require(String pointer) {
        JsonNode n = json.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            throw new AssertionError(dir.resolve("fixture.json") + " lacks '" + pointer.substring(1).replace('/', '.')
                    + "', which the tests read");
        }
        return n;
    }

    private int positive(String pointer) {
        JsonNode n = require(pointer);
        if (!n.canConvertToInt() || n.asInt() <= 0) {
            throw bad(pointer, "a positive integer");
        }
        return n.asInt();
    }

    private String text(String pointer) {
        return require(pointer).asText();
    }

    private AssertionError bad(String pointer, String what) {
        return new AssertionError(dir.resolve("fixture.json") + ": '" + pointer.substring(1).replace('/', '.')
                + "' must be " + what + ", got " + json.at(pointer));
    }

    /** The fixture folder. */
    public Path dir() {
        return dir;
    }

    /** A file of the fixture, e.g. {@code clip/clip.safetensors}. */
    public Path file(String relative) {
        return dir.resolve(relative);
    }

    /** The whole fixture.json, for the recorded results (losses, AUCs) that are data, not configuration. */
    public JsonNode json() {
        return json;
    }

    /**
     * The reference's model input of a forward image ({@code forward/<image>/input.npy}, [3, S, S]); a
     * file of another side than fixture.json's img_size fails naming both, before any model runs.
     */
    public float[] input(String image) {
        return shaped("forward/" + image + "/input.npy", 3, imgSize, imgSize).floats();
    }

    /** {@link #input(String)} of {@code img<i>}. */
    public float[] input(int image) {
        return input("img" + image);
    }

    /** The reference's mask of a forward image ({@code forward/<image>/mask.npy}, [1, S, S]). */
    public float[] mask(String image) {
        return shaped("forward/" + image + "/mask.npy", 1, imgSize, imgSize).floats();
    }

    /** An expected map of the reference ([S, S], e.g. {@code forward/img0/few_seg_map.npy}), checked against img_size. */
    public float[] map(String relative) {
        return shaped(relative, imgSize, imgSize).floats();
    }

    private Npy shaped(String relative, long... shape) {
        Npy npy = Fixtures.npy(dir.resolve(relative));
        if (!Arrays.equals(shape, npy.shape)) {
            throw new AssertionError(relative + " is " + Arrays.toString(npy.shape) + " but fixture.json's img_size "
                    + imgSize + " needs " + Arrays.toString(shape) + " (" + dir.resolve("fixture.json") + ")");
        }
        return npy;
    }

    /** The configuration's name ({@code config}), e.g. {@code tiny-a}. */
    public String name() {
        return name;
    }

    /** MVFA's {@code img_size}: the side the reference resized images to and ran the model at. */
    public int imgSize() {
        return imgSize;
    }

    /** Pixels of one channel of a model input or map: {@code img_size^2}. */
    public int pixels() {
        return imgSize * imgSize;
    }

    /** MVFA's {@code features_list}: 1-based layers after which the adapters sit. */
    public int[] features() {
        return features.clone();
    }

    /** The features as the command line takes them ({@code --features 1,2,3,4}). */
    public String featuresArg() {
        return Arrays.stream(features).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Adapter levels: one per feature layer. */
    public int levels() {
        return features.length;
    }

    /** The backbone's activation as the CLI and {@code Activation.parse} name it ({@code gelu} or {@code quick-gelu}). */
    public String activation() {
        return activation;
    }

    /** The options that build the fixture's model on the command line: image size, levels, activation. */
    public List<String> modelArgs() {
        return List.of("--img-size", Integer.toString(imgSize), "--features", featuresArg(), "--activation", activation);
    }

    /** CLIP's joint embedding width (text features and pooled output). */
    public int embedDim() {
        return embedDim;
    }

    /** The adapters' bottleneck width: the width of the seg and det tokens and of the memory bank's rows. */
    public int bottleneck() {
        return bottleneck;
    }

    /** The vision tower's native input side ({@code vision.image_size}). */
    public int nativeImageSize() {
        return nativeImageSize;
    }

    public int visionLayers() {
        return visionLayers;
    }

    public int visionWidth() {
        return visionWidth;
    }

    public int visionHeads() {
        return visionWidth / HEAD_WIDTH;
    }

    public int patchSize() {
        return patchSize;
    }

    /** Patch grid of the CLIP's native position table: {@code vision.image_size // patch}. */
    public int nativeGrid() {
        return nativeImageSize / patchSize;
    }

    /** Patch grid the model runs at: {@code img_size // patch} (pixels past the last whole patch are never seen). */
    public int grid() {
        return imgSize / patchSize;
    }

    /** Patch tokens of one image: {@code grid^2}. */
    public int patches() {
        return grid() * grid();
    }

    /** Tokens of one image, CLS first: {@code grid^2 + 1}. */
    public int tokens() {
        return patches() + 1;
    }

    public int contextLength() {
        return contextLength;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int textWidth() {
        return textWidth;
    }

    public int textHeads() {
        return textHeads;
    }

    public int textLayers() {
        return textLayers;
    }

    /** The six objects: name (as the data set folders and files use it) to the real name the prompts use. */
    public Map<String, String> objects() {
        return objects;
    }

    /** The normal support shots of the memory bank, as image names under {@code images/} (without {@code .png}). */
    public List<String> supportImages() {
        return supportImages;
    }

    /** Shots in the memory bank: one per support image. */
    public int shots() {
        return supportImages.size();
    }

    /** Memory-bank rows per level from {@code n} normal images: each augmented to 11 views, all tokens kept. */
    public int memoryBankRows(int images) {
        return images * Augmentation.COUNT * tokens();
    }

    /** Memory-bank rows per level of the fixture's bank ({@code memory/<branch>_level<k>.npy}). */
    public int memoryBankRows() {
        return memoryBankRows(shots());
    }

    /** The recorded training steps, in order. */
    public List<TrainStep> trainSteps() {
        return trainSteps;
    }

    /** Steps that train the seg adapters (those with a pixel mask). */
    public int segTrainSteps() {
        return (int) trainSteps.stream().filter(TrainStep::hasSegLoss).count();
    }

    /** The name of one adapter weight as the reference's dumps and checkpoints write it. */
    public static String adapterTensor(String branch, int level, String layer) {
        return branch + "_adapters." + level + "." + layer + ".0.weight";
    }

    /** Adapter weights per level: two branches of fc1 and fc2. */
    public static int adapterTensorsPerLevel() {
        return BRANCHES.size() * ADAPTER_LAYERS.size();
    }

    /** All adapter weights: levels x tensors per level. */
    public int adapterTensorCount() {
        return levels() * adapterTensorsPerLevel();
    }

    /** Every adapter weight's name, seg levels first, then det; fc1 before fc2 within a level. */
    public List<String> adapterTensorNames() {
        List<String> out = new ArrayList<>();
        for (String branch : BRANCHES) {
            for (int level = 0; level < levels(); level++) {
                for (String layer : ADAPTER_LAYERS) {
                    out.add(adapterTensor(branch, level, layer));
                }
            }
        }
        return out;
    }

    /**
     * The images whose forward outputs the fixture holds ({@code forward/img<i>}), in index order; the
     * same names are under {@code images/} as PNG files.
     */
    public List<String> forwardImages() {
        try (Stream<Path> s = Files.list(dir.resolve("forward"))) {
            return s.map(p -> p.getFileName().toString())
                    .map(FORWARD_IMAGE::matcher)
                    .filter(Matcher::matches)
                    .sorted((a, b) -> Integer.compare(Integer.parseInt(a.group(1)), Integer.parseInt(b.group(1))))
                    .map(m -> m.group(0))
                    .toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir.resolve("forward") + ": " + e.getMessage(), e);
        }
    }

    /** Number of forward images. */
    public int images() {
        return forwardImages().size();
    }

    /** The objects with zero-shot maps under {@code forward/}, in the order of {@link #objects()}. */
    public List<String> zeroShotObjects() {
        Path first = dir.resolve("forward").resolve(forwardImages().get(0));
        try (Stream<Path> s = Files.list(first)) {
            List<String> found = s.map(p -> ZERO_MAP.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).map(m -> m.group(1)).toList();
            return objects.keySet().stream().filter(found::contains).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + first + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + dir + "): img_size " + imgSize + ", features " + featuresArg() + ", grid " + grid()
                + ", tokens " + tokens() + ", width " + visionWidth + ", bottleneck " + bottleneck;
    }
}
