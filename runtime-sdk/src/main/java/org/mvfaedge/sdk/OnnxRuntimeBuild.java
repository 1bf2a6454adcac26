package org.mvfaedge.sdk;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ONNX Runtime this process loaded: the Maven artifact its classes came from ({@code onnxruntime}
 * is the CPU build, {@code onnxruntime_gpu} the CUDA/TensorRT one), its version, where its natives come
 * from, and the execution providers that build was compiled with. The same jar name can hide a
 * different native library ({@code -Donnxruntime.native.path}, e.g. JetPack's build on a Jetson), so the
 * providers are asked from the loaded library, not guessed from the jar.
 */
public record OnnxRuntimeBuild(String artifact, String version, String jar, String nativePath,
        Set<ExecutionProvider> providers, Set<String> allProviders) {
    /** The system property ONNX Runtime reads to load its natives from a folder instead of its jar. */
    public static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    private static final String ORT_CLASS = "ai/onnxruntime/OrtEnvironment.class";

    /**
     * What the loaded ONNX Runtime offers (loads its natives on first use). Creates ONNX Runtime's default
     * environment first: a GPU provider registered before it exists cannot log, and its real failure
     * (e.g. libcublas.so.12 missing) would read "Attempt to use DefaultLogger but none has been registered".
     */
    public static OnnxRuntimeBuild current() {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String jar = jarOf(OrtEnvironment.class);
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        Set<ExecutionProvider> ours = EnumSet.noneOf(ExecutionProvider.class);
        Set<String> all = new LinkedHashSet<>();
        for (OrtProvider p : available) {
            all.add(p.name());
            switch (p) {
                case TENSOR_RT -> ours.add(ExecutionProvider.TENSORRT);
                case CUDA -> ours.add(ExecutionProvider.CUDA);
                case CPU -> ours.add(ExecutionProvider.CPU);
                default -> {
                    // other providers (XNNPACK, ...) are not used by the detector
                }
            }
        }
        String version = OrtEnvironment.class.getPackage() != null
                ? OrtEnvironment.class.getPackage().getImplementationVersion() : null;
        if (version == null) {
            version = env.getVersion();
        }
        return new OnnxRuntimeBuild(artifactOf(jar), version, jar, System.getProperty(NATIVE_PATH_PROPERTY),
                Collections.unmodifiableSet(ours), Collections.unmodifiableSet(all));
    }

    /** Whether the loaded build offers this provider. */
    public boolean offers(ExecutionProvider p) {
        return providers.contains(p);
    }

    /** Whether this is the GPU artifact ({@code onnxruntime_gpu}). */
    public boolean gpuArtifact() {
        return artifact.startsWith("onnxruntime_gpu");
    }

    /**
     * {@code preferred} filtered to what this build offers, order kept; CPU stays last resort when it was
     * in the list. This is the default order: a CPU build does not try TensorRT or CUDA at all.
     */
    public List<ExecutionProvider> offeredOf(List<ExecutionProvider> preferred) {
        List<ExecutionProvider> out = new ArrayList<>();
        for (ExecutionProvider p : preferred) {
            if (offers(p) || p == ExecutionProvider.CPU) {
                out.add(p);
            }
        }
        return out;
    }

    /** One line for a log or a report. */
    public String describe() {
        return "ONNX Runtime " + version + " (" + artifact + (jar != null ? ", " + fileName(jar) : "")
                + (nativePath != null ? ", natives from " + NATIVE_PATH_PROPERTY + "=" + nativePath : "")
                + "), built with providers " + allProviders;
    }

    /**
     * Every jar (or folder) on this class loader's path that holds ONNX Runtime's classes. More than one
     * means two builds compete (e.g. {@code onnxruntime} and {@code onnxruntime_gpu} left side by side by a
     * flavour switch) and whichever comes first wins, silently: callers refuse to start.
     */
    public static List<String> jarsOnClassPath(ClassLoader loader) {
        List<String> out = new ArrayList<>();
        try {
            for (URL u : Collections.list(loader.getResources(ORT_CLASS))) {
                String s = u.toString();
                if (s.startsWith("jar:")) {
                    s = s.substring(4, s.indexOf("!/"));
                }
                out.add(pathOf(s));
            }
        } catch (IOException e) {
            // no answer is no duplicate found; the run itself will fail loudly if ONNX Runtime is absent
        }
        return out;
    }

    /** The one-line refusal when {@link #jarsOnClassPath} finds more than one, or null when there is one or none. */
    public static String duplicateJarsProblem(ClassLoader loader) {
        List<String> jars = jarsOnClassPath(loader);
        if (jars.size() < 2) {
            return null;
        }
        List<String> names = jars.stream().map(OnnxRuntimeBuild::fileName).toList();
        return "two ONNX Runtime builds on the class path (" + String.join(" and ", names)
                + "): whichever loads first would run silently; keep exactly one (rebuild, or delete the stale jar from "
                + parentOf(jars.get(0)) + ")";
    }

    static String artifactOf(String jar) {
        if (jar == null) {
            return "unknown";
        }
        String name = fileName(jar).toLowerCase(Locale.ROOT);
        if (name.startsWith("onnxruntime_gpu")) {
            return "onnxruntime_gpu";
        }
        if (name.startsWith("onnxruntime")) {
            return "onnxruntime";
        }
        return name;
    }

    private static String jarOf(Class<?> c) {
        try {
            var src = c.getProtectionDomain().getCodeSource();
            return src == null ? null : Path.of(src.getLocation().toURI()).toString();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String pathOf(String url) {
        try {
            return Path.of(new java.net.URI(url)).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return url;
        }
    }

    private static String fileName(String path) {
        Path p = Path.of(path).getFileName();
        return p == null ? path : p.toString();
    }

    private static String parentOf(String path) {
        Path p = Path.of(path).getParent();
        return p == null ? path : p.toString();
    }
}
