package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.server.model.ModelRegistry;
import org.mvfaedge.server.security.ApiKeys;

/** The real server on a random loopback port, with test keys, called over HTTP with the JDK client. */
public final class TestServer implements AutoCloseable {
    public static final String USER_KEY = "test-user-key-1";
    public static final String ADMIN_KEY = "test-admin-key-1";

    public final EmbeddedServer server;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestServer(EmbeddedServer server) {
        this.server = server;
    }

    /** Starts with the given packages and extra properties; waits until every model is ready. */
    public static TestServer start(List<Path> packages, Map<String, Object> extra) throws InterruptedException {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", -1);
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("mvfa.models", packages.stream().map(Path::toString).toList());
        p.put("mvfa.api-keys", List.of(ApiKeys.sha256Hex(USER_KEY)));
        p.put("mvfa.admin-keys", List.of(ApiKeys.sha256Hex(ADMIN_KEY)));
        p.put("mvfa.providers", List.of("CPU"));
        // reloads by path may load the test packages and copies of them in temporary folders
        p.put("mvfa.model-roots", List.of(java.nio.file.Path.of("target", "test-packages").toAbsolutePath().toString(),
                System.getProperty("java.io.tmpdir")));
        p.putAll(extra);
        EmbeddedServer s = ApplicationContext.run(EmbeddedServer.class, p);
        TestServer t = new TestServer(s);
        if (!packages.isEmpty() && !Boolean.FALSE.equals(extra.get("test.await-ready"))) {
            boolean ready = s.getApplicationContext().getBean(ModelRegistry.class).awaitInitialLoad(Duration.ofMinutes(3));
            assertTrue(ready, "models did not become ready: " + s.getApplicationContext().getBean(ModelRegistry.class).slots()
                    .stream().map(x -> x.id() + " " + x.state() + " " + x.error()).toList());
        }
        return t;
    }

    public static TestServer start(Path pkg) throws InterruptedException {
        return start(List.of(pkg), Map.of());
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getPort() + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60));
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).GET();
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return send(b.build());
    }

    public HttpResponse<String> post(String path, String key, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    public <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    @Override
    public void close() {
        server.close();
    }
}
