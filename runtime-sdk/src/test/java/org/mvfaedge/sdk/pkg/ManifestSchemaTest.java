package org.mvfaedge.sdk.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.ManifestSchema;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * The published JSON Schema of manifest.json against the SDK's own statements of the format: the fields
 * the {@link Manifest} record writes, the fields {@link ModelPackage#open} requires, and manifests the
 * SDK writes or refuses. (Every package a test writes is validated by its writer: ManifestSchema.)
 */
class ManifestSchemaTest {
    /** Every object the Manifest record writes has exactly the properties the schema declares for it. */
    @Test
    void declaresExactlyTheFieldsTheManifestRecordWrites() {
        JsonNode written = ModelPackage.JSON.valueToTree(ModelPackageTest.manifest());
        JsonNode schema = ManifestSchema.schemaJson();
        List<String> checked = new ArrayList<>();
        compare("", written, schema, schema, checked);
        System.out.println("schema objects compared with the Manifest record: " + checked);
        assertTrue(checked.containsAll(List.of("", "/object", "/mode", "/model", "/preprocessing", "/calibration")),
                checked.toString());
    }

    private static void compare(String at, JsonNode value, JsonNode s, JsonNode root, List<String> checked) {
        s = resolve(s, root);
        if (value.isObject() && s.has("properties")) {
            Set<String> fields = new TreeSet<>();
            value.fieldNames().forEachRemaining(fields::add);
            Set<String> declared = new TreeSet<>();
            s.get("properties").fieldNames().forEachRemaining(declared::add);
            assertEquals(declared, fields, "schema properties at " + (at.isEmpty() ? "/" : at));
            checked.add(at);
            for (String f : fields) {
                compare(at + "/" + f, value.get(f), s.get("properties").get(f), root, checked);
            }
        }
    }

    private static JsonNode resolve(JsonNode s, JsonNode root) {
        while (s.has("$ref")) {
            s = root.at(s.get("$ref").asText().substring(1));
        }
        return s;
    }

    /** What ModelPackage.open refuses a manifest without, the schema requires too. */
    @Test
    void requiresWhatTheSdkRequires() {
        JsonNode schema = ManifestSchema.schemaJson();
        for (String pointer : ModelPackage.REQUIRED) {
            JsonNode s = schema;
            String[] parts = pointer.substring(1).split("/");
            for (String p : parts) {
                s = resolve(s, schema);
                boolean required = false;
                for (JsonNode r : s.get("required")) {
                    required |= r.asText().equals(p);
                }
                assertTrue(required, p + " of " + pointer + " is not required by the schema");
                s = s.get("properties").get(p);
            }
        }
    }

    @Test
    void acceptsWhatTheSdkWritesAndRefusesBrokenManifests(@TempDir Path tmp) throws Exception {
        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 8, 0.5).dir(); // validated by the writer
        ObjectNode good = (ObjectNode) ModelPackage.JSON.readTree(pkg.resolve(ModelPackage.MANIFEST).toFile());
        assertEquals(List.of(), ManifestSchema.errors(good));

        ObjectNode noThreshold = good.deepCopy();
        ((ObjectNode) noThreshold.get("calibration")).remove("threshold");
        assertTrue(ManifestSchema.errors(noThreshold).toString().contains("threshold"), ManifestSchema.errors(noThreshold).toString());

        ObjectNode textSize = good.deepCopy();
        ((ObjectNode) textSize.get("model")).put("img_size", "8");
        assertTrue(ManifestSchema.errors(textSize).toString().contains("img_size"), ManifestSchema.errors(textSize).toString());

        ObjectNode major2 = good.deepCopy();
        major2.put("format_version", "2.0");
        assertTrue(ManifestSchema.errors(major2).toString().contains("format_version"), ManifestSchema.errors(major2).toString());

        ObjectNode pathInName = good.deepCopy();
        ((ObjectNode) pathInName.get("model")).put("file", "../model.onnx");
        assertTrue(ManifestSchema.errors(pathInName).toString().contains("file"), ManifestSchema.errors(pathInName).toString());

        // a newer minor version may add fields (ModelPackage.open accepts them too)
        ObjectNode newer = good.deepCopy();
        newer.put("format_version", "1.7");
        newer.put("something_new", true);
        assertEquals(List.of(), ManifestSchema.errors(newer));
    }
}
