package org.mvfaedge.server.model;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.HttpStatus;
import jakarta.annotation.PreDestroy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.MvfaException;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.server.ServerMetrics;
import org.mvfaedge.server.config.ServerSettings;
import org.mvfaedge.server.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models served. At start every configured package is opened and verified at once (a bad path or a
 * damaged package stops the start with its reason); the detectors are then created and warmed up with
 * one inference each on a background thread, and {@link #ready()} turns true when all are. Requests take
 * a {@link ModelLease}; a reload opens and warms the new package first, swaps it in atomically and
 * retires the old one, which closes when its last request finishes.
 */
@Context
public class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Where a model is in its life. */
    public enum State { LOADING, READY, FAILED }

    /** A configured model id and its current package. */
    public static final class Slot {
        private final String id;
        private volatile Path path;
        private final AtomicReference<LoadedModel> current = new AtomicReference<>();
        private volatile State state = State.LOADING;
        private volatile String error;

        Slot(String id, Path path) {
            this.id = id;
            this.path = path;
        }

        public String id() {
            return id;
        }

        public Path path() {
            return path;
        }

        public State state() {
            return state;
        }

        /** Why loading failed (FAILED only). */
        public String error() {
            return error;
        }

        /** The current model, or null while loading. */
        public LoadedModel current() {
            return current.get();
        }
    }

    private final ServerSettings settings;
    private final ServerMetrics metrics;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final CompletableFuture<Void> initialLoad;
    /** The model roots, each as configured (absolute, normalised) and as its real path. */
    private final List<Path[]> roots = new ArrayList<>();
    /** Keys a package must be signed by; empty: not verified (logged once at start). */
    private final org.mvfaedge.sdk.pkg.trust.TrustedKeys trustedKeys;

    /** @param keys taken only so that the key check runs first (a server without keys must not load models) */
    public ModelRegistry(ServerSettings settings, ServerMetrics metrics, org.mvfaedge.server.security.ApiKeys keys) {
        this.settings = settings;
        this.metrics = metrics;
        this.trustedKeys = PackageTrust.keys(settings);
        if (settings.getModels().isEmpty()) {
            throw new ConfigurationException("No model package configured: start with `./mvfa serve --model <package folder>`,"
                    + " or set MVFA_MODELS (comma-separated folders, each optionally as id=folder) or mvfa.models.");
        }
        for (String entry : settings.getModels()) {
            int eq = entry.indexOf('=');
            String givenId = eq > 0 ? entry.substring(0, eq).strip() : null;
            Path path = Path.of(eq > 0 ? entry.substring(eq + 1).strip() : entry).toAbsolutePath().normalize();
            // With trusted keys, an unsigned or changed package stops the start here, before the port serves anything.
            PackageTrust.checkAtStart(trustedKeys, path);
            String id = givenId != null ? givenId : manifestId(path);
            if (!ID.matcher(id).matches()) {
                throw new ConfigurationException("Model id '" + id + "' (for " + path + ") is not usable in a URL: use 1-64"
                        + " letters, digits, '.', '_' or '-', e.g. --model brain=" + path);
            }
            if (slots.containsKey(id)) {
                throw new ConfigurationException("Two model packages have the id '" + id + "' (" + slots.get(id).path + " and "
                        + path + "): give one another id with id=folder, e.g. --model " + id + "-2=" + path);
            }
            slots.put(id, new Slot(id, path));
        }
        for (String root : settings.getModelRoots()) {
            Path r = Path.of(root).toAbsolutePath().normalize();
            try {
                roots.add(new Path[] {r, r.toRealPath()});
            } catch (java.io.IOException | RuntimeException e) {
                throw new ConfigurationException("mvfa.model-roots: " + r + " is not a readable folder: give folders that"
                        + " hold model packages, or leave the setting empty to allow reloads of the loaded folders only.");
            }
        }
        metrics.gauge("mvfa.models.loaded", "Models loaded and ready",
                () -> slots.values().stream().filter(s -> s.state == State.READY).count());
        initialLoad = CompletableFuture.runAsync(this::loadAll, r -> {
            Thread t = new Thread(r, "mvfa-model-loader");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Opens the package once to check it and read its id (fails the start with the SDK's reason). */
    private static String manifestId(Path path) {
        if (!Files.isDirectory(path)) {
            throw new ConfigurationException("Model package " + path + " is not a folder: give the folder that holds"
                    + " manifest.json and model.onnx (made by `./mvfa export`).");
        }
        try {
            return ModelPackage.open(path).manifest().modelId();
        } catch (ModelPackageException e) {
            throw new ConfigurationException("Model package " + path + " cannot be served: " + e.getMessage(), e);
        }
    }

    private void loadAll() {
        for (Slot slot : slots.values()) {
            try {
                LoadedModel m = load(slot.id, slot.path);
                slot.current.set(m);
                slot.state = State.READY;
            } catch (RuntimeException e) {
                slot.error = e instanceof MvfaException ? e.getMessage() : e.toString();
                slot.state = State.FAILED;
                LOG.error("model {}: loading {} failed: {}", slot.id, slot.path, slot.error);
            }
        }
        if (ready()) {
            LOG.info("ready: {} model(s) loaded and warmed up", slots.size());
        }
    }

    /** Opens a package, warms it up with one inference, and logs what runs it. */
    private LoadedModel load(String id, Path path) {
        long t0 = System.nanoTime();
        AnomalyDetector detector = AnomalyDetector.open(path, options());
        try {
            if (settings.isWarmUp()) {
                int size = detector.manifest().preprocessing().size();
                BufferedImage grey = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
                detector.detect(grey);
            }
        } catch (RuntimeException e) {
            detector.close();
            throw e;
        }
        LoadedModel m = new LoadedModel(id, path, detector);
        // no path here: a reload's path comes from a request, and a request's text never reaches the log
        LOG.info("model {}: version {} on {} ready in {} ms (warm-up {})", id, m.version(),
                detector.executionProvider(), (System.nanoTime() - t0) / 1_000_000, settings.isWarmUp() ? "done" : "off");
        return m;
    }

    DetectorOptions options() {
        DetectorOptions.Builder b = DetectorOptions.builder().maxPixels(settings.getLimits().getMaxPixels())
                .maxBatch(Math.max(1, settings.getLimits().getMaxBatch())).trustedKeys(trustedKeys);
        if (!settings.getProviders().isEmpty()) {
            List<ExecutionProvider> providers = new ArrayList<>();
            for (String p : settings.getProviders()) {
                try {
                    providers.add(ExecutionProvider.valueOf(p.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("mvfa.providers: unknown execution provider '" + p
                            + "'; use TENSORRT, CUDA or CPU");
                }
            }
            b.providers(providers);
        }
        if (settings.getCpuThreads() > 0) {
            b.cpuThreads(settings.getCpuThreads());
        }
        if (settings.getTensorrt().getEngineCache() != null) {
            b.tensorRtEngineCache(settings.getTensorrt().getEngineCache());
        }
        b.tensorRtFp16(settings.getTensorrt().isFp16());
        return b.build();
    }

    /** True when every model is loaded and warmed up. */
    public boolean ready() {
        return slots.values().stream().allMatch(s -> s.state == State.READY);
    }

    /** Waits for the loading at start; true if every model is ready. */
    public boolean awaitInitialLoad(Duration timeout) throws InterruptedException {
        try {
            initialLoad.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
        return ready();
    }

    public Collection<Slot> slots() {
        return slots.values();
    }

    /** The slot of an id (or of the only model when id is null); 404 / 400 otherwise. */
    public Slot slot(String id) {
        if (id == null || id.isBlank()) {
            if (slots.size() == 1) {
                return slots.values().iterator().next();
            }
            throw ApiException.badRequest("model-required", "Several models are served (" + String.join(", ", slots.keySet())
                    + "): name one with ?model=<id>.");
        }
        Slot s = slots.get(id);
        if (s == null) {
            throw ApiException.notFound("model-not-found", "No model '" + id + "' is served here; GET /v1/models lists them ("
                    + String.join(", ", slots.keySet()) + ").");
        }
        return s;
    }

    /** A hold on the current model of a slot for one request. */
    public ModelLease lease(Slot slot, int retryAfterSeconds) {
        while (true) {
            LoadedModel m = slot.current.get();
            if (m == null) {
                if (slot.state == State.FAILED) {
                    throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "model-failed", "Model not available",
                            "Model '" + slot.id + "' failed to load: " + slot.error + " (an admin can reload it with a good package).");
                }
                throw ApiException.unavailable("model-loading", "Model loading", "Model '" + slot.id
                        + "' is still loading; retry shortly (GET /health/readiness says when every model is ready).",
                        retryAfterSeconds);
            }
            if (m.retain()) {
                return new ModelLease(m);
            }
            // retired between get() and retain(): the slot already holds the new model; try again
        }
    }

    /**
     * The package folder a reload request names, if it lies under a configured model root
     * ({@code mvfa.model-roots}), symbolic links resolved. Anything else - outside every root, relative,
     * malformed, or with no root configured - gets one and the same 403, whether or not it exists, so a
     * reload cannot probe the file system; a missing folder under a root is a 422. Neither answer repeats
     * the path's text.
     */
    public Path packageUnderModelRoots(String text) {
        Path p;
        try {
            p = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw notUnderRoots();
        }
        if (!p.isAbsolute()) {
            throw notUnderRoots();
        }
        Path n = p.normalize();
        Path[] root = roots.stream().filter(r -> n.startsWith(r[0]) || n.startsWith(r[1])).findFirst()
                .orElseThrow(this::notUnderRoots);
        Path real;
        try {
            real = n.toRealPath();
        } catch (java.io.IOException | SecurityException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "no-model-package", "No model package",
                    "There is no model package at that path under the model roots: give the folder written by"
                            + " ./mvfa export (or mvfa-edge enroll) that holds manifest.json.");
        }
        if (!real.startsWith(root[1]) || real.equals(root[1])) {
            throw notUnderRoots();
        }
        return real;
    }

    private ApiException notUnderRoots() {
        return new ApiException(HttpStatus.FORBIDDEN, "path-not-allowed", "Path not allowed",
                "A reload loads a package only from a folder under a configured model root (mvfa.model-roots"
                        + (roots.isEmpty() ? ", none configured here" : "")
                        + "); omit the path to re-read the model's current folder.");
    }

    /**
     * Opens {@code newPath} (or the slot's path again), warms it up, swaps it in and retires the old model.
     * A failure leaves the old model serving.
     */
    public LoadedModel reload(Slot slot, Path newPath) {
        synchronized (slot) {
            Path path = newPath != null ? newPath.toAbsolutePath().normalize() : slot.path;
            LoadedModel fresh;
            try {
                fresh = load(slot.id, path);
            } catch (RuntimeException e) {
                metrics.reload(slot.id, false);
                // The SDK's reason names the folder: keep it out of the log line and the answer.
                String reason = e instanceof MvfaException ? withoutPath(e.getMessage(), path)
                        : e.getClass().getSimpleName();
                LOG.warn("model {}: reload failed, the current version stays: {}", slot.id, reason);
                if (e instanceof org.mvfaedge.sdk.pkg.trust.PackageTrustException) {
                    throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "untrusted-model-package",
                            "Model package not trusted", reason);
                }
                if (e instanceof MvfaException) {
                    throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "invalid-model-package",
                            "Invalid model package", reason);
                }
                throw e;
            }
            LoadedModel old = slot.current.getAndSet(fresh);
            slot.path = path;
            slot.state = State.READY;
            slot.error = null;
            metrics.reload(slot.id, true);
            LOG.info("model {}: reloaded, version {} -> {}", slot.id, old == null ? "none" : old.version(), fresh.version());
            if (old != null) {
                old.release();
            }
            return fresh;
        }
    }

    /** A message with every mention of {@code path} (and its parts below the file system root) replaced. */
    static String withoutPath(String message, Path path) {
        if (message == null) {
            return "the package cannot be opened";
        }
        String m = message.replace(path.toString(), "the package folder");
        return m.replaceAll("[\\r\\n\\t]", " ");
    }

    @PreDestroy
    void close() {
        for (Slot s : slots.values()) {
            LoadedModel m = s.current.getAndSet(null);
            if (m != null) {
                m.release();
            }
        }
    }
}
