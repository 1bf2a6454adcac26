package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.server.security.ApiKeys;

/** Start-up rules: keys or an explicit --insecure-no-auth, at least one valid package; the command line. */
class StartupTest {
    private static String startFailure(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(Map.of("micronaut.server.port", -1, "micronaut.server.host", "127.0.0.1"));
        p.putAll(props);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(EmbeddedServer.class, p).close());
        return Application.reason(e);
    }

    @Test
    void refusesToStartWithoutKeys(@TempDir Path tmp) {
        String why = startFailure(Map.of("mvfa.models", List.of(tmp.toString())));
        assertTrue(why.contains("No API key is configured") && why.contains("--insecure-no-auth"), why);
    }

    @Test
    void refusesKeysThatAreNotHashes(@TempDir Path tmp) {
        String why = startFailure(Map.of("mvfa.models", List.of(tmp.toString()), "mvfa.api-keys", List.of("my-secret-key")));
        assertTrue(why.contains("not a SHA-256 hex hash"), why);
        assertTrue(!why.contains("my-secret-key"), "the key itself is never echoed: " + why);
    }

    @Test
    void refusesToStartWithoutAModelOrWithABadFolder(@TempDir Path tmp) {
        String key = ApiKeys.sha256Hex("k");
        String none = startFailure(Map.of("mvfa.api-keys", List.of(key)));
        assertTrue(none.contains("No model package configured"), none);
        String missing = startFailure(Map.of("mvfa.api-keys", List.of(key), "mvfa.models", List.of(tmp.resolve("nope").toString())));
        assertTrue(missing.contains("is not a folder"), missing);
        String empty = startFailure(Map.of("mvfa.api-keys", List.of(key), "mvfa.models", List.of(tmp.toString())));
        assertTrue(empty.contains("cannot be served"), empty);
    }

    @Test
    void insecureNoAuthServesWithoutAKey() throws Exception {
        Path pkg = TestPackages.brainFew();
        Map<String, Object> p = new HashMap<>(ServeArgs.parse("--model", "brain=" + pkg, "--insecure-no-auth").properties());
        p.put("micronaut.server.port", -1);
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("mvfa.providers", List.of("CPU"));
        try (EmbeddedServer s = ApplicationContext.run(EmbeddedServer.class, p)) {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + s.getPort() + "/v1/models/brain")).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void commandLineBecomesConfiguration() {
        ServeArgs a = ServeArgs.parse("--model", "/p/one", "--model=b=/p/two", "--port", "9123", "--host", "127.0.0.1",
                "--insecure-no-auth", "--mvfa.limits.queue-size=3");
        assertEquals(List.of("/p/one", "b=/p/two"), a.properties().get("mvfa.models"));
        assertEquals(9123, a.properties().get("micronaut.server.port"));
        assertEquals(true, a.properties().get("mvfa.insecure-no-auth"));
        assertEquals(List.of("--mvfa.limits.queue-size=3"), a.passThrough());
        assertThrows(IllegalArgumentException.class, () -> ServeArgs.parse("--port", "eighty"));
        assertThrows(IllegalArgumentException.class, () -> ServeArgs.parse("--model"));
        assertThrows(IllegalArgumentException.class, () -> ServeArgs.parse("--frobnicate"));

        // the translated properties win over application.yml, and the pass-through reaches the settings
        try (ApplicationContext ctx = ApplicationContext.builder().properties(a.properties())
                .args(a.passThrough().toArray(String[]::new)).build()) {
            ctx.getEnvironment().start();
            assertEquals(9123, ctx.getEnvironment().getProperty("micronaut.server.port", Integer.class).orElseThrow());
            assertEquals(List.of("/p/one", "b=/p/two"),
                    ctx.getEnvironment().getProperty("mvfa.models", io.micronaut.core.type.Argument.listOf(String.class))
                            .orElseThrow());
            assertEquals(3, ctx.getEnvironment().getProperty("mvfa.limits.queue-size", Integer.class).orElseThrow());
            assertEquals(true, ctx.getEnvironment().getProperty("mvfa.insecure-no-auth", Boolean.class).orElseThrow());
        }
    }
}
