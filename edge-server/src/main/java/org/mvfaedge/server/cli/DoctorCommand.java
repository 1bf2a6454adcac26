package org.mvfaedge.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.OnnxRuntimeBuild;
import org.mvfaedge.sdk.detect.SessionFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code doctor}: explains a box, so that a GPU box's problems can be diagnosed from this output alone:
 * Java, OS and architecture, this distribution's flavour, the ONNX Runtime loaded (artifact, version,
 * where its natives come from, the providers it was built with, and any second ONNX Runtime jar), the
 * NVIDIA driver, GPU devices and the CUDA / cuBLAS / cuDNN / TensorRT libraries found, each requested
 * provider's registration, the model (if given) opened on each requested provider, and the TensorRT
 * engine cache folder. Exit status 0 only when every requested provider works (and the model opens);
 * 1 otherwise, with each problem named in the last lines.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this box: Java, OS, ONNX Runtime and its providers, GPU libraries, a model package.")
public final class DoctorCommand implements Callable<Integer> {
    /**
     * Libraries ONNX Runtime's GPU providers load, by the major version onnxruntime_gpu 1.23 was built
     * against (CUDA 12, cuDNN 9, TensorRT 10): another major version on the box does not count.
     */
    private static final String[][] GPU_LIBRARIES = {
        {"CUDA runtime", "libcudart.so", "12"}, {"cuBLAS", "libcublas.so", "12"}, {"cuBLASLt", "libcublasLt.so", "12"},
        {"cuFFT", "libcufft.so", "11"}, {"cuDNN", "libcudnn.so", "9"}, {"TensorRT", "libnvinfer.so", "10"},
        {"TensorRT ONNX parser", "libnvonnxparser.so", "10"}};

    @Option(names = "--model", paramLabel = "DIR", description = "A model package to open on each requested provider.")
    Path model;

    @Mixin
    DetectorOptionsMixin detectorOptions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final List<String> problems = new ArrayList<>();
    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        out.println(BuildInfo.line());
        Runtime rt = Runtime.getRuntime();
        item("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home") + ", max heap " + rt.maxMemory() / (1 << 20) + " MB");
        item("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + ", architecture "
                + System.getProperty("os.arch") + ", " + rt.availableProcessors() + " cores" + memory());

        OnnxRuntimeBuild ort = onnxRuntime();
        gpu();
        DetectorOptions options = detectorOptions.toOptions();
        List<ExecutionProvider> requested = ort == null ? List.of() : SessionFactory.order(options, ort);
        if (ort != null) {
            item("Providers requested", requested + (options.providersRequested() ? " (--providers)"
                    : " (the default: TENSORRT, CUDA, CPU as far as this build offers them)"));
            for (ExecutionProvider p : requested) {
                String why = SessionFactory.registrationProblem(p, options);
                sub(p + ": " + (why == null ? "registers" : "FAILS to register: " + why));
                if (why != null) {
                    problems.add(p + " does not register: " + why);
                }
            }
            if (model != null) {
                model(requested, options);
            }
        }
        engineCache(options, requested);

        if (problems.isEmpty()) {
            out.println("Result: OK" + (model == null ? " (no --model given: the providers were registered, no model opened)" : ""));
        } else {
            out.println("Result: " + problems.size() + " problem(s)");
            problems.forEach(p -> out.println("  PROBLEM: " + p));
        }
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }

    private OnnxRuntimeBuild onnxRuntime() {
        List<String> jars = OnnxRuntimeBuild.jarsOnClassPath(DoctorCommand.class.getClassLoader());
        OnnxRuntimeBuild ort;
        try {
            ort = SessionFactory.onnxRuntime();
        } catch (RuntimeException | LinkageError e) {
            item("ONNX Runtime", "CANNOT LOAD: " + e);
            problems.add("ONNX Runtime does not load: " + e.getMessage()
                    + (System.getProperty(OnnxRuntimeBuild.NATIVE_PATH_PROPERTY) != null
                            ? " (check -D" + OnnxRuntimeBuild.NATIVE_PATH_PROPERTY + ")" : ""));
            return null;
        }
        item("ONNX Runtime", ort.version() + ", artifact " + ort.artifact() + " (" + ort.jar() + ")");
        sub("natives: " + (ort.nativePath() != null ? "from -D" + OnnxRuntimeBuild.NATIVE_PATH_PROPERTY + "="
                + ort.nativePath() : "from the jar (" + System.getProperty("os.arch") + ")"));
        sub("built with providers: " + ort.allProviders());
        sub("ONNX Runtime jars on the class path: " + jars.size() + (jars.size() > 1 ? " " + jars : ""));
        if (jars.size() > 1) {
            problems.add(OnnxRuntimeBuild.duplicateJarsProblem(DoctorCommand.class.getClassLoader()));
        }
        if ("gpu".equals(BuildInfo.flavour()) && !ort.offers(ExecutionProvider.CUDA)) {
            problems.add("this is the GPU distribution, but the ONNX Runtime loaded (" + ort.artifact()
                    + ") offers no CUDA provider: it would run on the CPU; its lib/ should hold onnxruntime_gpu only");
        }
        if (!BuildInfo.onnxRuntimeArtifact().equals(ort.artifact()) && ort.nativePath() == null) {
            sub("note: built with " + BuildInfo.onnxRuntimeArtifact() + " but " + ort.artifact() + " is loaded");
        }
        return ort;
    }

    /** NVIDIA driver, device nodes, nvidia-smi's view and the GPU libraries on the loader's path. */
    private void gpu() {
        Path driver = Path.of("/proc/driver/nvidia/version");
        item("NVIDIA driver", Files.isReadable(driver) ? firstLine(driver) : "not loaded (no " + driver + ")");
        List<String> devices = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/dev"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("nvidia\\d+|nvgpu|nvhost-gpu")).sorted()
                    .forEach(devices::add);
        } catch (IOException e) {
            // no /dev listing: reported as no devices
        }
        sub("GPU device nodes: " + (devices.isEmpty() ? "none (/dev/nvidia*: no GPU visible to this process)" : devices));
        sub("nvidia-smi: " + nvidiaSmi());
        Set<Path> dirs = librarySearchPath();
        for (String[] lib : GPU_LIBRARIES) {
            String soname = lib[1] + "." + lib[2];
            Path found = findLibrary(dirs, soname);
            Path other = found == null ? findLibrary(dirs, lib[1]) : null;
            sub(lib[0] + " (" + soname + "): " + (found != null ? found
                    : "not found" + (other != null ? " (only " + other + ": another version)" : "")));
        }
    }

    private void model(List<ExecutionProvider> requested, DetectorOptions options) {
        item("Model", model.toString());
        for (ExecutionProvider p : requested) {
            DetectorOptions only = rebuild(options, p);
            long t0 = System.nanoTime();
            try (AnomalyDetector d = AnomalyDetector.open(model, only)) {
                sub("on " + p + ": opens and runs on " + d.executionProvider() + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms (" + d.imageSize() + " px input)");
            } catch (RuntimeException e) {
                String why = org.mvfaedge.sdk.util.UserErrors.message(e);
                sub("on " + p + ": FAILS: " + why);
                problems.add("the model does not open on " + p + ": " + why);
            }
        }
    }

    private void engineCache(DetectorOptions options, List<ExecutionProvider> requested) {
        Path cache = options.tensorRtEngineCache();
        if (cache == null) {
            item("TensorRT engine cache", "not set" + (requested.contains(ExecutionProvider.TENSORRT)
                    ? " (engines are rebuilt at every start, minutes on a Jetson: set --trt-cache DIR, or "
                            + "mvfa.tensorrt.engine-cache for serve)" : ""));
        } else {
            boolean ok = Files.isDirectory(cache) && Files.isWritable(cache);
            item("TensorRT engine cache", cache.toAbsolutePath() + (ok ? " (writable)" : " (NOT a writable folder)"));
            if (!ok) {
                problems.add("the TensorRT engine cache " + cache.toAbsolutePath() + " is not a writable folder");
            }
        }
    }

    /** The options with only {@code p} requested (the others unchanged). */
    private DetectorOptions rebuild(DetectorOptions o, ExecutionProvider p) {
        DetectorOptions.Builder b = DetectorOptions.builder().providers(p).tensorRtFp16(o.tensorRtFp16())
                .tensorRtDeviceId(o.tensorRtDeviceId()).cudaDeviceId(o.cudaDeviceId()).cpuThreads(o.cpuThreads())
                .maxBatch(o.maxBatch()).tensorRtWorkspaceBytes(o.tensorRtWorkspaceBytes());
        if (o.tensorRtEngineCache() != null) {
            b.tensorRtEngineCache(o.tensorRtEngineCache());
        }
        return b.build();
    }

    private static String memory() {
        Path meminfo = Path.of("/proc/meminfo");
        if (!Files.isReadable(meminfo)) {
            return "";
        }
        try (Stream<String> lines = Files.lines(meminfo)) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> ", " + Long.parseLong(l.replaceAll("\\D", "")) / 1024 + " MB memory").orElse("");
        } catch (IOException | NumberFormatException e) {
            return "";
        }
    }

    private static String nvidiaSmi() {
        Path smi = onPath("nvidia-smi");
        if (smi == null) {
            return "not on the PATH";
        }
        try {
            Process p = new ProcessBuilder(smi.toString(), "--query-gpu=name,driver_version,memory.total,compute_cap",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not answer within 20 s";
            }
            return (p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": ") + text.replace('\n', ';');
        } catch (IOException e) {
            return "cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Folders the dynamic loader searches (LD_LIBRARY_PATH, ld.so.conf's folders, the usual system and CUDA
     * folders) plus ONNX Runtime's native path.
     */
    static Set<Path> librarySearchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String native_ = System.getProperty(OnnxRuntimeBuild.NATIVE_PATH_PROPERTY);
        if (native_ != null) {
            dirs.add(Path.of(native_));
        }
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        List<Path> conf = new ArrayList<>(List.of(Path.of("/etc/ld.so.conf")));
        try (Stream<Path> s = Files.list(Path.of("/etc/ld.so.conf.d"))) {
            s.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(conf::add);
        } catch (IOException e) {
            // none
        }
        for (Path c : conf) {
            try (Stream<String> lines = Files.lines(c)) {
                lines.map(String::strip).filter(l -> l.startsWith("/")).forEach(l -> dirs.add(Path.of(l)));
            } catch (IOException | RuntimeException e) {
                // unreadable: skipped
            }
        }
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT).contains("aarch64") ? "aarch64" : "x86_64";
        for (String d : List.of("/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64", "/usr/lib64",
                "/lib", "/usr/lib", "/usr/local/lib", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/" + arch
                        + "-linux/lib", "/usr/local/cuda/targets/sbsa-linux/lib", "/usr/lib/wsl/lib")) {
            dirs.add(Path.of(d));
        }
        dirs.removeIf(d -> !Files.isDirectory(d));
        return dirs;
    }

    /** The first {@code prefix*} file in {@code dirs} (e.g. libcudnn.so.9), or null. */
    static Path findLibrary(Set<Path> dirs, String prefix) {
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                Path hit = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().findFirst().orElse(null);
                if (hit != null) {
                    return hit;
                }
            } catch (IOException e) {
                // unreadable folder: skipped
            }
        }
        return null;
    }

    private static Path onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool);
            }
        }
        return null;
    }

    private static String firstLine(Path p) {
        try (Stream<String> lines = Files.lines(p)) {
            return lines.findFirst().orElse("").strip();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private void item(String name, String value) {
        out.printf("%-22s %s%n", name + ":", value);
    }

    private void sub(String value) {
        out.printf("%-22s %s%n", "", value);
    }
}
