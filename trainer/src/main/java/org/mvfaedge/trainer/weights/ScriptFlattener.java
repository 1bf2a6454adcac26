package org.mvfaedge.trainer.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.mvfaedge.trainer.weights.TorchPickle.ScriptObject;
import org.mvfaedge.trainer.weights.TorchPickle.TensorRef;

/**
 * Turns a TorchScript module tree into state-dict names ({@code visual.transformer.resblocks.0.attn
 * .in_proj_weight}). Which tensor attributes are parameters or buffers is declared in the archive's
 * generated code ({@code code/__torch__/.../<module>.py}: {@code __parameters__ = [...]},
 * {@code __buffers__ = [...]}); other tensor attributes (an attention mask kept as a plain
 * attribute, say) are not part of {@code state_dict()} and are skipped, as PyTorch does.
 */
final class ScriptFlattener {
    private static final Pattern CLASS = Pattern.compile(
            "^class (\\w+)\\([\\w.]+\\):\\s*\\n\\s+__parameters__ = \\[([^\\]]*)\\]\\s*\\n\\s+__buffers__ = \\[([^\\]]*)\\]",
            Pattern.MULTILINE);
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"|'([^']*)'");

    private final ZipFile zip;
    private final String prefix;
    /** Declared state names per qualified class name; null value: class code not found. */
    private final Map<String, Set<String>> declared = new HashMap<>();
    private final Set<String> readFiles = new LinkedHashSet<>();

    ScriptFlattener(ZipFile zip, String prefix) {
        this.zip = zip;
        this.prefix = prefix;
    }

    void flatten(ScriptObject module, String path, Map<String, TensorRef> out) throws IOException {
        Set<String> state = stateNames(module);
        for (Map.Entry<String, Object> e : module.attributes.entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            if (v instanceof TensorRef t) {
                // Without the class's code we cannot tell buffers from plain attributes: keep all.
                if (state == null || state.contains(name)) {
                    out.put(path + name, t);
                }
            } else if (v instanceof ScriptObject child) {
                flatten(child, path + name + ".", out);
            }
        }
    }

    private Set<String> stateNames(ScriptObject module) throws IOException {
        String qualified = module.qualifiedName();
        if (!declared.containsKey(qualified)) {
            String codeFile = prefix + "code/" + module.module.replace('.', '/') + ".py";
            if (readFiles.add(codeFile)) {
                parse(codeFile, module.module);
            }
            declared.putIfAbsent(qualified, null);
        }
        return declared.get(qualified);
    }

    private void parse(String codeFile, String pythonModule) throws IOException {
        ZipEntry entry = zip.getEntry(codeFile);
        if (entry == null) {
            return;
        }
        String code;
        try (InputStream in = zip.getInputStream(entry)) {
            code = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = CLASS.matcher(code);
        while (m.find()) {
            Set<String> names = new LinkedHashSet<>();
            names.addAll(quoted(m.group(2)));
            names.addAll(quoted(m.group(3)));
            declared.put(pythonModule + "." + m.group(1), names);
        }
    }

    private static List<String> quoted(String list) {
        List<String> out = new ArrayList<>();
        Matcher m = QUOTED.matcher(list);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }
}
