package org.mvfaedge.sdk.pkg;

import org.mvfaedge.sdk.util.AtomicFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.image.PreprocessingSpec;
import org.mvfaedge.sdk.onnx.MvfaGraphContract;

/**
 * A model package: a folder with {@code model.onnx} (and {@code model.onnx.data} for large models) and
 * {@code manifest.json}. Opening one checks everything before a single inference runs: the format and
 * its version, every required manifest field, the sha256 of each model file, so a changed or
 * truncated file is refused with a message saying which, that the preprocessing it asks for is one this
 * SDK implements ({@link PreprocessingSpec}), and that the graph is an MVFA graph ({@link MvfaGraphContract}).
 */
public final class ModelPackage {
    /** Manifest file name inside a package. */
    public static final String MANIFEST = "manifest.json";

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Fields without which a package cannot be run or calibrated (JSON pointer paths). */
    static final List<String> REQUIRED = List.of("/format", "/format_version", "/model_id", "/created",
            "/object/name", "/object/real_name", "/object/has_masks", "/mode/protocol", "/model/file",
            "/model/sha256", "/model/opset", "/model/img_size", "/model/features", "/preprocessing/size",
            "/preprocessing/scale", "/inputs", "/outputs", "/sources", "/calibration/statistics",
            "/calibration/combination", "/calibration/image_score", "/calibration/threshold",
            "/calibration/threshold_rule");

    private final Path dir;
    private final Manifest manifest;
    private final PreprocessingSpec preprocessing;

    private ModelPackage(Path dir, Manifest manifest, PreprocessingSpec preprocessing) {
        this.dir = dir;
        this.manifest = manifest;
        this.preprocessing = preprocessing;
    }

    /**
     * Opens a package after checking its signature against {@code trustedKeys}
     * ({@link org.mvfaedge.sdk.pkg.trust.PackageVerifier}); with no key (null or empty) exactly as
     * {@link #open(Path)}.
     *
     * @throws org.mvfaedge.sdk.pkg.trust.PackageTrustException when the signature check refuses it
     */
    public static ModelPackage open(Path dir, org.mvfaedge.sdk.pkg.trust.TrustedKeys trustedKeys) {
        if (trustedKeys != null && !trustedKeys.isEmpty()) {
            org.mvfaedge.sdk.pkg.trust.PackageVerifier.verify(dir, trustedKeys);
        }
        return open(dir);
    }

    /** Opens and verifies a package folder. */
    public static ModelPackage open(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) {
            throw new ModelPackageException(dir, "not a folder (a model package is a folder written by ./mvfa export)");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new ModelPackageException(dir, "no " + MANIFEST + " (is this a folder written by ./mvfa export?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new ModelPackageException(dir, MANIFEST + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelPackageException(dir, MANIFEST + " is not a JSON object");
        }
        checkFormat(dir, root);
        List<String> missing = new ArrayList<>();
        for (String p : REQUIRED) {
            JsonNode n = root.at(p);
            if (n.isMissingNode() || n.isNull()) {
                missing.add(p.substring(1).replace('/', '.'));
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelPackageException(dir, MANIFEST + " lacks required field(s): " + String.join(", ", missing)
                    + " (re-export the package)");
        }
        Manifest m;
        try {
            m = JSON.treeToValue(root, Manifest.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelPackageException(dir, MANIFEST + " has a field of the wrong type: " + e.getOriginalMessage(), e);
        }
        // before the files are hashed: a package this SDK cannot feed is refused whatever its files hold
        PreprocessingSpec preprocessing = PreprocessingSpec.of(dir, m);
        verifyFile(dir, m.model().file(), m.model().sha256(), "model");
        if (m.model().externalData() != null) {
            verifyFile(dir, m.model().externalData(), m.model().externalDataSha256(), "external data");
        }
        // Once, here, before any execution provider is asked to load the graph: a graph of another kind
        // is a wrong file, which no provider can fix.
        MvfaGraphContract.check(dir, dir.resolve(m.model().file()), m.mode() != null && m.mode().fewShot());
        return new ModelPackage(dir, m, preprocessing);
    }

    private static void checkFormat(Path dir, JsonNode root) {
        String format = root.path("format").asText(null);
        if (!Manifest.FORMAT.equals(format)) {
            throw new ModelPackageException(dir, MANIFEST + " has format '" + format + "', expected '" + Manifest.FORMAT + "'");
        }
        String version = root.path("format_version").asText(null);
        if (version == null) {
            return; // reported with the other missing fields
        }
        int major = major(dir, version);
        int ours = major(dir, Manifest.FORMAT_VERSION);
        if (major > ours) {
            throw new ModelPackageException(dir, "package format " + version + " is newer than this SDK reads ("
                    + ours + ".x): update MVFA-Edge, or export the package with this version");
        }
        if (major < ours) {
            throw new ModelPackageException(dir, "package format " + version + " is older than this SDK reads ("
                    + ours + ".x): re-export the package");
        }
    }

    private static int major(Path dir, String version) {
        try {
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (NumberFormatException e) {
            throw new ModelPackageException(dir, "format_version '" + version + "' is not major.minor");
        }
    }

    private static void verifyFile(Path dir, String name, String expected, String what) {
        Path f = dir.resolve(name).normalize();
        if (!f.startsWith(dir.normalize()) || name.contains("/") || name.contains("\\")) {
            throw new ModelPackageException(dir, what + " file name '" + name + "' must be a plain file name in the package");
        }
        if (!Files.isRegularFile(f)) {
            throw new ModelPackageException(dir, what + " file " + name + " is missing");
        }
        if (expected == null) {
            throw new ModelPackageException(dir, MANIFEST + " lacks the sha256 of " + name);
        }
        String actual;
        try {
            actual = Sha256.of(f);
        } catch (IOException e) {
            throw new ModelPackageException(dir, "cannot read " + name + ": " + e.getMessage(), e);
        }
        if (!actual.equalsIgnoreCase(expected)) {
            throw new ModelPackageException(dir, name + " does not match the sha256 in " + MANIFEST
                    + " (the file was changed or damaged after export; re-export or restore it)");
        }
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** How images are prepared for this package's graph (its manifest's {@code preprocessing}, checked). */
    public PreprocessingSpec preprocessing() {
        return preprocessing;
    }

    /** The graph file. */
    public Path modelFile() {
        return dir.resolve(manifest.model().file());
    }

    /** The manifest as JSON text (for an HTTP answer or a log of what is loaded). */
    public String manifestJson() {
        try {
            return JSON.writeValueAsString(manifest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a package atomically: the files go into a temporary folder beside {@code target}, the
     * hashes are filled in, the result is opened and verified, and only then is the folder moved to
     * {@code target} (replacing an existing package there). A failure leaves no partial package.
     *
     * @param files the graph file and, if any, its external data file (moved into the package;
     *     the manifest's {@code model.file} / {@code model.external_data} name them)
     */
    public static ModelPackage write(Path target, Manifest manifest, Path modelFile, Path externalDataOrNull)
            throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // Not Files.createTempDirectory: its owner-only permissions would keep a server running as
        // another user from reading the package. The umask decides, as for any other folder.
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime())
                + Integer.toHexString(new java.security.SecureRandom().nextInt()));
        Files.createDirectory(tmp);
        try {
            Path model = tmp.resolve(manifest.model().file());
            Files.copy(modelFile, model, StandardCopyOption.REPLACE_EXISTING);
            String dataHash = null;
            if (externalDataOrNull != null) {
                Path data = tmp.resolve(manifest.model().externalData());
                Files.copy(externalDataOrNull, data, StandardCopyOption.REPLACE_EXISTING);
                dataHash = Sha256.of(data);
            }
            Manifest.Model mm = manifest.model();
            Manifest.Model hashed = new Manifest.Model(mm.file(), Sha256.of(model),
                    externalDataOrNull == null ? null : mm.externalData(), dataHash, mm.opset(), mm.precision(),
                    mm.imgSize(), mm.patch(), mm.grid(), mm.width(), mm.layers(), mm.features(), mm.bottleneck(),
                    mm.activation());
            Manifest complete = new Manifest(manifest.format(), manifest.formatVersion(), manifest.modelId(),
                    manifest.created(), manifest.producer(), manifest.object(), manifest.mode(), hashed,
                    manifest.preprocessing(), manifest.inputs(), manifest.outputs(), manifest.sources(),
                    manifest.calibration());
            JSON.writeValue(tmp.resolve(MANIFEST).toFile(), complete);
            readableByAll(tmp);
            open(tmp); // verify before it becomes visible
            replace(tmp, target);
            return open(target);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    /**
     * Model files written through temporary files are owner-only; a package must be readable by the
     * service that runs it, which is often another user. World-readable, never writable.
     */
    private static void readableByAll(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                try {
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException e) {
                    return; // not a POSIX file system: its own defaults apply
                }
            }
        }
    }

    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".old-");
            Files.delete(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (old != null) {
            AtomicFiles.deleteTree(old);
        }
    }

    /** Lists the packages (sub-folders with a manifest) of a folder such as {@code onnx/}. */
    public static List<Path> list(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p.resolve(MANIFEST)) && !p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
