package org.mvfaedge.sdk.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.image.dicom.DicomWindow;

/**
 * The optional {@code dicom} section of a package's {@code manifest.json}: how DICOM inputs are rendered
 * for this model ({@code {"window": "file" | "minmax" | "<center>,<width>"}}), part of the package because
 * it decides what the model sees. Read on its own, beside the manifest record, so packages without the
 * section (all packages before it) keep working: they get {@code file}.
 */
public record DicomSettings(DicomWindow window) {
    public static final DicomSettings DEFAULT = new DicomSettings(DicomWindow.FILE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The section of the package in {@code packageDir}, or {@link #DEFAULT} where it has none. */
    public static DicomSettings read(Path packageDir) {
        Path manifest = packageDir.resolve("manifest.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(manifest));
        } catch (IOException e) {
            throw new ModelPackageException(packageDir, "manifest.json cannot be read for its dicom section: "
                    + e.getMessage(), e);
        }
        JsonNode d = root == null ? null : root.get("dicom");
        if (d == null || d.isNull() || !d.has("window")) {
            return DEFAULT;
        }
        try {
            return new DicomSettings(DicomWindow.parse(d.get("window").asText()));
        } catch (IllegalArgumentException e) {
            throw new ModelPackageException(packageDir, "manifest.json: dicom.window: " + e.getMessage()
                    + " (re-export with --dicom-window)", e);
        }
    }

    /**
     * Writes this section into the manifest of the package in {@code packageDir} (the rest of the
     * manifest is kept as it is), through a temporary file moved into place: set at export.
     */
    public void writeInto(Path packageDir) throws IOException {
        Path manifest = packageDir.resolve("manifest.json");
        JsonNode root = JSON.readTree(Files.readAllBytes(manifest));
        if (!(root instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
            throw new ModelPackageException(packageDir, "manifest.json is not a JSON object");
        }
        o.putObject("dicom").put("window", window.toString());
        Path tmp = Files.createTempFile(packageDir, ".manifest", ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), o);
            Files.move(tmp, manifest, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Carries the section of {@code from} (if it has one) over to the package in {@code to} (enrollment). */
    public static void copy(Path from, Path to) throws IOException {
        DicomSettings s = read(from);
        JsonNode root = JSON.readTree(Files.readAllBytes(from.resolve("manifest.json")));
        if (root != null && root.has("dicom")) {
            s.writeInto(to);
        }
    }
}
