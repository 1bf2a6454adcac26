package org.mvfaedge.trainer.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The prompt ensemble's ingredients and the table of objects, read from {@code prompts.json}:
 * normal and abnormal states, templates, each object's real name and class index, and the paper's
 * defaults.
 *
 * <p>The object table is data: a user adds an object of their own with {@link #withObject} or
 * {@link #withObjectsFrom} (a JSON file {@code {"objects": [{"name": "Knee", "real_name": "knee
 * MRI", "has_masks": true}]}}, {@code class_index} optional) without code changes. Instances are
 * immutable.
 */
public final class PromptConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> normalStates;
    private final List<String> abnormalStates;
    private final List<String> templates;
    private final Map<String, ObjectInfo> objects;
    private final TrainingDefaults defaults;

    /**
     * A configuration built in code. Every state and template must hold one {@code {}}
     * placeholder.
     *
     * @param defaults the paper's defaults, or {@code null} where there are none
     */
    public PromptConfig(List<String> normalStates, List<String> abnormalStates, List<String> templates,
            List<ObjectInfo> objects, TrainingDefaults defaults) {
        this.normalStates = checkPatterns("normal_states", normalStates);
        this.abnormalStates = checkPatterns("abnormal_states", abnormalStates);
        this.templates = checkPatterns("templates", templates);
        Map<String, ObjectInfo> table = new LinkedHashMap<>();
        for (ObjectInfo o : objects) {
            if (table.put(o.name(), o) != null) {
                throw new PromptConfigException("object " + o.name() + " is listed twice");
            }
        }
        this.objects = table;
        this.defaults = defaults;
    }

    private static List<String> checkPatterns(String field, List<String> patterns) {
        Objects.requireNonNull(patterns, field);
        if (patterns.isEmpty()) {
            throw new PromptConfigException(field + " must not be empty");
        }
        for (int i = 0; i < patterns.size(); i++) {
            try {
                PythonFormat.format(patterns.get(i), "x");
            } catch (IllegalArgumentException e) {
                throw new PromptConfigException(field + "[" + i + "] " + e.getMessage());
            }
        }
        return List.copyOf(patterns);
    }

    /** Reads {@code prompts.json} (the project ships it as {@code shared/mvfa/prompts.json}). */
    public static PromptConfig load(Path promptsJson) {
        return parse(readJson(promptsJson), promptsJson);
    }

    /** Resource name of the built-in prompts (the method's states and templates, the BMAD objects). */
    static final String BUILT_IN = "mvfa-prompts.json";

    /**
     * The method's own prompt states and templates and the six BMAD objects, shipped with the
     * trainer so that no command needs a prompts file; {@code --prompts FILE} replaces them.
     */
    public static PromptConfig builtIn() {
        try (java.io.InputStream in = PromptConfig.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new PromptConfigException("built-in " + BUILT_IN + " is missing from the trainer jar");
            }
            return parse(JSON.readTree(in), Path.of("(built-in) " + BUILT_IN));
        } catch (IOException e) {
            throw new PromptConfigException("cannot read built-in " + BUILT_IN + ": " + e.getMessage());
        }
    }

    /** The built-in configuration, or the file when one is given. */
    public static PromptConfig loadOrBuiltIn(Path promptsJsonOrNull) {
        return promptsJsonOrNull == null ? builtIn() : load(promptsJsonOrNull);
    }

    private static PromptConfig parse(JsonNode root, Path promptsJson) {
        Fields f = new Fields(promptsJson);
        List<String> normal = f.strings(root, "normal_states");
        List<String> abnormal = f.strings(root, "abnormal_states");
        List<String> templates = f.strings(root, "templates");
        JsonNode realNames = f.object(root, "real_names");
        JsonNode classIndex = f.object(root, "class_index");
        List<ObjectInfo> objects = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = realNames.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String real = f.text(e.getValue(), "real_names." + name);
            JsonNode idx = classIndex.get(name);
            if (idx == null) {
                throw new PromptConfigException(promptsJson, "class_index has no entry for object " + name
                        + " (positive: has pixel masks, negative: image labels only)");
            }
            int index = f.integer(idx, "class_index." + name);
            objects.add(f.object(() -> new ObjectInfo(name, real, index, index > 0)));
        }
        for (Iterator<String> it = classIndex.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!realNames.has(name)) {
                throw new PromptConfigException(promptsJson, "class_index lists " + name + ", which real_names lacks");
            }
        }
        JsonNode d = root.get("defaults");
        TrainingDefaults defaults = d == null || d.isNull() ? null : f.defaults(d);
        try {
            return new PromptConfig(normal, abnormal, templates, objects, defaults);
        } catch (PromptConfigException e) {
            throw new PromptConfigException(promptsJson, e.getMessage(), e);
        }
    }

    public List<String> normalStates() {
        return normalStates;
    }

    public List<String> abnormalStates() {
        return abnormalStates;
    }

    public List<String> templates() {
        return templates;
    }

    /** The known objects, in the file's order, then those added. */
    public List<ObjectInfo> objects() {
        return List.copyOf(objects.values());
    }

    /**
     * The object of that name.
     *
     * @throws UnknownObjectException listing the known names
     */
    public ObjectInfo object(String name) {
        ObjectInfo o = objects.get(name);
        if (o == null) {
            throw new UnknownObjectException(name, new ArrayList<>(objects.keySet()));
        }
        return o;
    }

    /** The paper's defaults, where the file has them. */
    public Optional<TrainingDefaults> defaults() {
        return Optional.ofNullable(defaults);
    }

    /** This configuration with one more object. */
    public PromptConfig withObject(ObjectInfo object) {
        List<ObjectInfo> list = new ArrayList<>(objects.values());
        if (objects.containsKey(object.name())) {
            throw new PromptConfigException("object " + object.name() + " already exists (real name \""
                    + objects.get(object.name()).realName() + "\"): choose another name");
        }
        list.add(object);
        return new PromptConfig(normalStates, abnormalStates, templates, list, defaults);
    }

    /**
     * This configuration with one more object whose class index is the next free one of its sign
     * (the reference only uses the sign: segmentation and detection, or detection only).
     */
    public PromptConfig withObject(String name, String realName, boolean hasMasks) {
        return withObject(new ObjectInfo(name, realName, nextClassIndex(hasMasks), hasMasks));
    }

    private int nextClassIndex(boolean hasMasks) {
        int index = hasMasks ? 1 : -1;
        for (ObjectInfo o : objects.values()) {
            index = hasMasks ? Math.max(index, o.classIndex() + 1) : Math.min(index, o.classIndex() - 1);
        }
        return index;
    }

    /**
     * This configuration with the objects of a JSON file
     * {@code {"objects": [{"name": ..., "real_name": ..., "has_masks": true|false, "class_index": n?}]}}.
     */
    public PromptConfig withObjectsFrom(Path objectsJson) {
        JsonNode root = readJson(objectsJson);
        Fields f = new Fields(objectsJson);
        JsonNode list = root.get("objects");
        if (list == null || !list.isArray()) {
            throw new PromptConfigException(objectsJson,
                    "expected {\"objects\": [{\"name\": ..., \"real_name\": ..., \"has_masks\": true|false}]}");
        }
        PromptConfig result = this;
        for (int i = 0; i < list.size(); i++) {
            JsonNode o = list.get(i);
            String where = "objects[" + i + "]";
            String name = f.text(o.get("name"), where + ".name");
            String real = f.text(o.get("real_name"), where + ".real_name");
            JsonNode masks = o.get("has_masks");
            if (masks == null || !masks.isBoolean()) {
                throw new PromptConfigException(objectsJson, where + ".has_masks must be true or false");
            }
            boolean hasMasks = masks.booleanValue();
            JsonNode idx = o.get("class_index");
            PromptConfig current = result;
            try {
                result = idx == null ? current.withObject(name, real, hasMasks)
                        : current.withObject(f.object(() -> new ObjectInfo(name, real,
                                f.integer(idx, where + ".class_index"), hasMasks)));
            } catch (PromptConfigException e) {
                throw new PromptConfigException(objectsJson, where + ": " + e.getMessage(), e);
            }
        }
        return result;
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new PromptConfigException(file, "expected a JSON object at the top level");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new PromptConfigException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new PromptConfigException(file, "file not found", e);
        } catch (IOException e) {
            throw new PromptConfigException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Typed access to JSON fields whose errors name the file and the field's path. */
    private static final class Fields {
        private final Path file;

        Fields(Path file) {
            this.file = file;
        }

        ObjectInfo object(java.util.function.Supplier<ObjectInfo> make) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw new PromptConfigException(file, e.getMessage(), e);
            }
        }

        JsonNode object(JsonNode parent, String field) {
            return object(parent, field, field);
        }

        JsonNode object(JsonNode parent, String field, String path) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isObject()) {
                throw new PromptConfigException(file, "missing or not an object: " + path);
            }
            return n;
        }

        List<String> strings(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isArray()) {
                throw new PromptConfigException(file, "missing or not a list of strings: " + field);
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                out.add(text(n.get(i), field + "[" + i + "]"));
            }
            return out;
        }

        String text(JsonNode n, String path) {
            if (n == null || !n.isTextual()) {
                throw new PromptConfigException(file, "missing or not a string: " + path);
            }
            return n.textValue();
        }

        int integer(JsonNode n, String path) {
            if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new PromptConfigException(file, "missing or not an integer: " + path);
            }
            return n.intValue();
        }

        double number(JsonNode n, String path) {
            if (n == null || !n.isNumber()) {
                throw new PromptConfigException(file, "missing or not a number: " + path);
            }
            return n.doubleValue();
        }

        TrainingDefaults defaults(JsonNode d) {
            String p = "defaults.";
            List<Integer> features = new ArrayList<>();
            JsonNode fs = d.get("features");
            if (fs == null || !fs.isArray() || fs.isEmpty()) {
                throw new PromptConfigException(file, "missing or not a list of layer numbers: defaults.features");
            }
            for (int i = 0; i < fs.size(); i++) {
                features.add(integer(fs.get(i), p + "features[" + i + "]"));
            }
            JsonNode few = object(d, "few_shot", p + "few_shot");
            JsonNode zero = object(d, "zero_shot", p + "zero_shot");
            JsonNode betas = d.get("adam_betas");
            if (betas == null || !betas.isArray() || betas.size() != 2) {
                throw new PromptConfigException(file, "defaults.adam_betas must be a list of two numbers");
            }
            JsonNode mix = object(d, "adapter_mix", p + "adapter_mix");
            return new TrainingDefaults(
                    integer(d.get("img_size"), p + "img_size"),
                    features,
                    new TrainingDefaults.FewShot(integer(few.get("epochs"), p + "few_shot.epochs"),
                            number(few.get("lr"), p + "few_shot.lr"), integer(few.get("shot"), p + "few_shot.shot"),
                            integer(few.get("iterate"), p + "few_shot.iterate"),
                            integer(few.get("seed"), p + "few_shot.seed")),
                    new TrainingDefaults.ZeroShot(integer(zero.get("epochs"), p + "zero_shot.epochs"),
                            number(zero.get("lr"), p + "zero_shot.lr"), integer(zero.get("seed"), p + "zero_shot.seed")),
                    number(betas.get(0), p + "adam_betas[0]"), number(betas.get(1), p + "adam_betas[1]"),
                    integer(d.get("batch_size"), p + "batch_size"),
                    number(d.get("logit_scale"), p + "logit_scale"),
                    new TrainingDefaults.AdapterMix(number(mix.get("residual"), p + "adapter_mix.residual"),
                            number(mix.get("seg"), p + "adapter_mix.seg"), number(mix.get("det"), p + "adapter_mix.det")),
                    text(d.get("model"), p + "model"));
        }
    }
}
