package org.mvfaedge.server.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mvfaedge.server.model.LoadedModel;
import org.mvfaedge.server.model.ModelRegistry;
import org.mvfaedge.server.security.AdminOnly;
import org.mvfaedge.server.security.CallerRole;

/** The models served: list, one, and (admin key) reload. */
@Controller("/v1/models")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "models")
public class ModelsController {
    private final ModelRegistry registry;
    private final JsonMapper json;

    public ModelsController(ModelRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /** The list of served models. @param models each model's state, version, provider and manifest */
    @Serdeable
    public record ModelList(List<ModelInfo> models) {
    }

    /**
     * Reload options.
     *
     * @param path another package folder to serve under this id, under one of the configured model roots
     *     ({@code mvfa.model-roots}); absent: re-read the current one
     */
    @Serdeable
    public record ReloadRequest(@Nullable String path) {
    }

    /**
     * The result of a reload.
     *
     * @param previousVersion the version that served before (it finishes its requests, then closes)
     * @param model the model now served
     */
    @Serdeable
    public record ReloadResponse(@JsonProperty("previous_version") @Nullable String previousVersion, ModelInfo model) {
    }

    /** @return every served model with its manifest and execution provider */
    @Operation(summary = "List the served models")
    @Get(produces = MediaType.APPLICATION_JSON)
    public ModelList list() {
        return new ModelList(registry.slots().stream().map(this::info).toList());
    }

    /** @param id model id @return the model with its manifest and execution provider */
    @Operation(summary = "One served model")
    @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    public ModelInfo get(@PathVariable String id) {
        return info(registry.slot(id));
    }

    /**
     * Swaps in a new package atomically (admin key): the new one is opened and warmed up first; requests in
     * flight finish on the old one, which closes when they are done. On failure the old one keeps serving.
     *
     * @param id model id
     * @param body optional {@code {"path": "<package folder>"}} under a configured model root; without it the
     *     current folder is re-read
     * @return the previous version and the model now served
     */
    @Operation(summary = "Reload a model (admin)")
    @Post(uri = "/{id}/reload", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    @AdminOnly
    public ReloadResponse reload(HttpRequest<?> request, @PathVariable String id, @Body @Nullable ReloadRequest body) {
        CallerRole.requireAdmin(request);
        ModelRegistry.Slot slot = registry.slot(id);
        LoadedModel before = slot.current();
        String previous = before == null ? null : before.version();
        Path path = body == null || body.path() == null || body.path().isBlank() ? null
                : registry.packageUnderModelRoots(body.path());
        registry.reload(slot, path);
        return new ReloadResponse(previous, info(slot));
    }

    private ModelInfo info(ModelRegistry.Slot slot) {
        LoadedModel m = slot.current();
        if (m == null) {
            return new ModelInfo(slot.id(), slot.state().name(), slot.error(), null, null, null, null);
        }
        return new ModelInfo(slot.id(), slot.state().name(), null, m.version(), m.detector().executionProvider().name(),
                m.loadedAt().toString(), manifest(m));
    }

    private Map<String, Object> manifest(LoadedModel m) {
        try {
            Map<String, Object> manifest = json.readValue(m.detector().modelPackage().manifestJson(),
                    Argument.mapOf(String.class, Object.class));
            return withoutIdentifiers(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest without the support images' names (a count instead) and without source folders. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withoutIdentifiers(Map<String, Object> manifest) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(manifest);
        for (String key : List.of("mode")) {
            if (out.get(key) instanceof Map<?, ?> mode) {
                Map<String, Object> m = new java.util.LinkedHashMap<>((Map<String, Object>) mode);
                for (String names : List.of("support_images", "supportImages")) {
                    if (m.remove(names) instanceof List<?> l) {
                        m.put("support_image_count", l.size());
                    }
                }
                out.put(key, m);
            }
        }
        if (out.get("sources") instanceof Map<?, ?> sources) {
            Map<String, Object> s = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : sources.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> src) {
                    Map<String, Object> c = new java.util.LinkedHashMap<>((Map<String, Object>) src);
                    if (c.get("file") instanceof String f) {
                        c.put("file", java.nio.file.Path.of(f).getFileName() == null ? f
                                : java.nio.file.Path.of(f).getFileName().toString());
                    }
                    s.put(String.valueOf(e.getKey()), c);
                } else {
                    s.put(String.valueOf(e.getKey()), e.getValue());
                }
            }
            out.put("sources", s);
        }
        return out;
    }
}
