package org.mvfaedge.trainer.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture of an OpenAI-style ViT CLIP: everything needed to build the model and to check a
 * weights file. Heads are width / 64 in both towers, as OpenAI's {@code build_model} derives them.
 *
 * @param embedDim joint embedding size (text_projection's and visual.proj's output)
 * @param imageSize native input resolution (patch * grid)
 * @param visionLayers number of vision transformer blocks
 * @param visionWidth vision transformer width
 * @param patchSize vision patch (conv1 kernel and stride)
 * @param visionHeads vision attention heads
 * @param contextLength text context length (text position table rows)
 * @param vocabSize BPE vocabulary size (token embedding rows)
 * @param textWidth text transformer width
 * @param textHeads text attention heads
 * @param textLayers number of text transformer blocks
 */
public record ClipConfig(int embedDim, int imageSize, int visionLayers, int visionWidth, int patchSize, int visionHeads,
        int contextLength, int vocabSize, int textWidth, int textHeads, int textLayers) {

    /** OpenAI's head width: {@code heads = width // 64}. */
    public static final int HEAD_WIDTH = 64;
    private static final String RESOURCE_DIR = "/clip-configs/";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ClipConfig {
        int[] positive = {embedDim, imageSize, visionLayers, visionWidth, patchSize, visionHeads, contextLength, vocabSize,
            textWidth, textHeads, textLayers};
        for (int v : positive) {
            if (v <= 0) {
                throw new IllegalArgumentException("every CLIP size must be positive: " + describe(embedDim, imageSize,
                        visionLayers, visionWidth, patchSize, visionHeads, contextLength, vocabSize, textWidth, textHeads,
                        textLayers));
            }
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch size " + patchSize);
        }
        if (visionWidth % visionHeads != 0 || textWidth % textHeads != 0) {
            throw new IllegalArgumentException("width must be divisible by heads (vision " + visionWidth + "/" + visionHeads
                    + ", text " + textWidth + "/" + textHeads + ")");
        }
    }

    /** A config with heads derived from the widths, as OpenAI's {@code build_model} does. */
    public static ClipConfig of(int embedDim, int imageSize, int visionLayers, int visionWidth, int patchSize,
            int contextLength, int vocabSize, int textWidth, int textLayers) {
        return new ClipConfig(embedDim, imageSize, visionLayers, visionWidth, patchSize, heads(visionWidth, "vision"),
                contextLength, vocabSize, textWidth, heads(textWidth, "text"), textLayers);
    }

    private static int heads(int width, String tower) {
        if (width < HEAD_WIDTH) {
            throw new IllegalArgumentException(tower + " width " + width + " is below " + HEAD_WIDTH
                    + ": OpenAI's CLIP uses width / 64 heads, which would be 0");
        }
        return width / HEAD_WIDTH;
    }

    /** Patches per side at the native resolution. */
    public int grid() {
        return imageSize / patchSize;
    }

    /** Names of the bundled configurations, in the order of {@code clip-configs/index.txt}. */
    /**
     * Patches per side when run at {@code runImageSize}: {@code runImageSize / patch}; the remainder
     * pixels are never seen (as with 240 and patch 14, where 2 pixels are dropped).
     */
    public int gridFor(int runImageSize) {
        int g = runImageSize / patchSize;
        if (g < 1) {
            throw new IllegalArgumentException("img_size " + runImageSize + " is smaller than the patch size " + patchSize);
        }
        return g;
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>();
        try (InputStream in = ClipConfig.class.getResourceAsStream(RESOURCE_DIR + "index.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE_DIR + "index.txt is missing from the trainer jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE_DIR + "index.txt", e);
        }
        return out;
    }

    /** A bundled configuration by name ({@code ViT-L-14-336}); the error lists the known names. */
    public static ClipConfig named(String name) {
        List<String> known = names();
        if (!known.contains(name)) {
            throw new IllegalArgumentException("unknown CLIP configuration '" + name + "'; known: "
                    + String.join(", ", known));
        }
        try (InputStream in = ClipConfig.class.getResourceAsStream(RESOURCE_DIR + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE_DIR + name + ".json is listed but missing");
            }
            return fromOpenClipJson(JSON.readTree(in), name + ".json");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE_DIR + name + ".json", e);
        }
    }

    /**
     * Parses open_clip's model config format ({@code embed_dim}, {@code vision_cfg}, {@code text_cfg});
     * vision heads are {@code width / head_width} (head_width defaults to 64, as in open_clip).
     */
    public static ClipConfig fromOpenClipJson(JsonNode root, String what) {
        JsonNode v = root.path("vision_cfg");
        JsonNode t = root.path("text_cfg");
        if (!v.isObject() || !t.isObject()) {
            throw new IllegalArgumentException(what + ": not an open_clip model config (needs vision_cfg and text_cfg)");
        }
        if (v.has("layers") && !v.get("layers").isInt()) {
            throw new IllegalArgumentException(what + ": vision_cfg.layers " + v.get("layers")
                    + " is not an integer (only ViT CLIP models are supported)");
        }
        int visionWidth = req(v, "width", what);
        int headWidth = v.path("head_width").asInt(HEAD_WIDTH);
        int textWidth = req(t, "width", what);
        return new ClipConfig(req(root, "embed_dim", what), req(v, "image_size", what), req(v, "layers", what),
                visionWidth, req(v, "patch_size", what), visionWidth / headWidth, req(t, "context_length", what),
                req(t, "vocab_size", what), textWidth, t.path("heads").asInt(textWidth / HEAD_WIDTH), req(t, "layers", what));
    }

    private static int req(JsonNode node, String field, String what) {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new IllegalArgumentException(what + ": missing integer field '" + field + "'");
        }
        return n.asInt();
    }

    /** This config in open_clip's format (what {@link #fromOpenClipJson} reads). */
    public ObjectNode toOpenClipJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("embed_dim", embedDim);
        ObjectNode v = root.putObject("vision_cfg");
        v.put("image_size", imageSize).put("layers", visionLayers).put("width", visionWidth).put("patch_size", patchSize);
        if (visionWidth / visionHeads != HEAD_WIDTH) {
            v.put("head_width", visionWidth / visionHeads);
        }
        ObjectNode t = root.putObject("text_cfg");
        t.put("context_length", contextLength).put("vocab_size", vocabSize).put("width", textWidth).put("heads", textHeads)
                .put("layers", textLayers);
        return root;
    }

    /**
     * Infers the architecture from tensor shapes exactly as OpenAI's {@code clip/model.py
     * build_model} does for ViT checkpoints. A ResNet CLIP or an unrelated state dict is refused.
     */
    public static ClipConfig fromStateDict(StateDict sd) {
        if (sd.contains("visual.layer1.0.conv1.weight") || sd.contains("visual.attnpool.positional_embedding")) {
            throw new CheckpointException(sd.source(), "a ResNet CLIP (visual.layer1 / visual.attnpool): only ViT CLIP"
                    + " models are supported (ViT-B-32, ViT-B-16, ViT-L-14, ViT-L-14-336)");
        }
        List<String> missing = new ArrayList<>();
        for (String n : List.of("visual.conv1.weight", "visual.positional_embedding", "text_projection",
                "positional_embedding", "token_embedding.weight", "ln_final.weight")) {
            if (!sd.contains(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(sd.source(), "not a ViT CLIP checkpoint in OpenAI's layout: missing "
                    + String.join(", ", missing));
        }
        HostTensor conv1 = sd.require("visual.conv1.weight");
        HostTensor visualPos = sd.require("visual.positional_embedding");
        HostTensor textProj = sd.require("text_projection");
        HostTensor textPos = sd.require("positional_embedding");
        HostTensor tokens = sd.require("token_embedding.weight");
        HostTensor lnFinal = sd.require("ln_final.weight");
        if (conv1.rank() != 4 || visualPos.rank() != 2 || textProj.rank() != 2 || textPos.rank() != 2
                || tokens.rank() != 2 || lnFinal.rank() != 1) {
            throw new CheckpointException(sd.source(), "not a ViT CLIP checkpoint: unexpected ranks (visual.conv1.weight "
                    + conv1 + ", visual.positional_embedding " + visualPos + ", text_projection " + textProj + ")");
        }
        int visionWidth = (int) conv1.dim(0);
        int visionLayers = 0;
        Set<String> textBlocks = new TreeSet<>();
        for (String n : sd.names()) {
            if (n.startsWith("visual.") && n.endsWith(".attn.in_proj_weight")) {
                visionLayers++;
            }
            if (n.startsWith("transformer.resblocks.")) {
                textBlocks.add(n.split("\\.")[2]);
            }
        }
        int patch = (int) conv1.dim(-1);
        long positions = visualPos.dim(0) - 1;
        int grid = (int) Math.round(Math.sqrt(positions));
        if ((long) grid * grid != positions) {
            throw new CheckpointException(sd.source(), "visual.positional_embedding has " + visualPos.dim(0)
                    + " rows: not 1 + a square grid of patches");
        }
        int textWidth = (int) lnFinal.dim(0);
        if (visionLayers == 0 || textBlocks.isEmpty()) {
            throw new CheckpointException(sd.source(), "not a ViT CLIP checkpoint: no "
                    + (visionLayers == 0 ? "visual.transformer.resblocks.*.attn.in_proj_weight" : "transformer.resblocks.*")
                    + " tensors");
        }
        if (visionWidth < HEAD_WIDTH || textWidth < HEAD_WIDTH) {
            throw new CheckpointException(sd.source(), "widths (vision " + visionWidth + ", text " + textWidth
                    + ") are below 64: OpenAI's CLIP uses width / 64 heads");
        }
        try {
            return new ClipConfig((int) textProj.dim(1), patch * grid, visionLayers, visionWidth, patch,
                    visionWidth / HEAD_WIDTH, (int) textPos.dim(0), (int) tokens.dim(0), textWidth, textWidth / HEAD_WIDTH,
                    textBlocks.size());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(sd.source(), "inconsistent CLIP shapes: " + e.getMessage(), e);
        }
    }

    private static String describe(int... v) {
        return java.util.Arrays.toString(v);
    }
}
