package org.mvfaedge.sdk.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.mvfaedge.sdk.pkg.ModelPackage;

/**
 * The manifest's published JSON Schema ({@code org/mvfaedge/sdk/pkg/manifest.schema.json}, a resource of
 * the SDK jar), applied by an independent validator (networknt, draft 2020-12). Every test-side writer
 * of packages (the toy packages, the fixture exports of the trainer and the edge server, enrollment)
 * calls {@link #assertValid} on what it wrote, so the schema is checked against every package the tests
 * write and cannot drift from the writers.
 */
public final class ManifestSchema {
    /** Where the schema lies on the class path. */
    public static final String RESOURCE = "/org/mvfaedge/sdk/pkg/manifest.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Schema schema;

    private ManifestSchema() {
    }

    /** The schema as JSON. */
    public static JsonNode schemaJson() {
        try (InputStream in = ModelPackage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new AssertionError("the SDK jar has no " + RESOURCE);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema schema() {
        Schema s = schema;
        if (s == null) {
            s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson().toString());
            schema = s;
        }
        return s;
    }

    /** The schema's complaints about a manifest (empty when it is valid). */
    public static List<String> errors(JsonNode manifest) {
        return schema().validate(manifest).stream().map(ManifestSchema::describe).toList();
    }

    private static String describe(Error e) {
        return e.getInstanceLocation() + ": " + e.getMessage();
    }

    /** Asserts that the package folder's manifest.json is valid against the schema; returns the folder. */
    public static Path assertValid(Path packageDir) {
        JsonNode m;
        try {
            m = JSON.readTree(packageDir.resolve(ModelPackage.MANIFEST).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> errors = errors(m);
        if (!errors.isEmpty()) {
            throw new AssertionError(packageDir.resolve(ModelPackage.MANIFEST) + " does not follow " + RESOURCE + ": "
                    + String.join("; ", errors));
        }
        return packageDir;
    }
}
