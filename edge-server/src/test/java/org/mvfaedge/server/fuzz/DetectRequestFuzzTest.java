package org.mvfaedge.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.mvfaedge.sdk.testing.ToyPackages;
import org.mvfaedge.server.TestServer;

/**
 * The server's request handling of {@code POST /v1/detect} (raw body and multipart/form-data, query
 * parameters, content types) with outside requests, over real HTTP on loopback to the real server on a toy
 * package. Every answer must be 200, a 4xx for a bad request, 413 or 503: a 500 (or any other 5xx) is a
 * finding, and so is a request that takes more than the fuzzer's timeout.
 *
 * <p>Input layout (so that seeds are easy to write by hand): the first line is the query string, the second
 * the Content-Type (for multipart: {@code multipart/form-data; boundary=...}), the rest is the body.
 */
class DetectRequestFuzzTest {
    static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 405, 406, 411, 413, 415, 422, 429, 431, 503);
    private static final TestServer SERVER;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static {
        try {
            Path pkg = ToyPackages.channelMean(Files.createTempDirectory("detect-fuzz").resolve("toy"), 16, 0.5).dir();
            // small limits, so that the fuzzer reaches them with small inputs
            SERVER = TestServer.start(List.of(pkg), Map.of("micronaut.server.max-request-size", "64KB",
                    "micronaut.server.multipart.max-file-size", "64KB", "mvfa.limits.max-pixels", "1000000"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the server under test", e);
        }
    }

    @FuzzTest
    void detect(byte[] input) throws Exception {
        int nl1 = indexOf(input, 0);
        int nl2 = nl1 < 0 ? -1 : indexOf(input, nl1 + 1);
        if (nl2 < 0) {
            return;
        }
        String query = new String(input, 0, nl1, StandardCharsets.ISO_8859_1);
        String contentType = new String(input, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.ISO_8859_1);
        byte[] body = Arrays.copyOfRange(input, nl2 + 1, input.length);
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(SERVER.uri("/v1/detect").toString()
                    + (query.isEmpty() ? "" : "?" + query))).timeout(Duration.ofSeconds(30))
                    .header("X-API-Key", TestServer.USER_KEY).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (!contentType.isEmpty()) {
                b.header("Content-Type", contentType);
            }
            request = b.build();
        } catch (IllegalArgumentException notSendable) {
            return; // the JDK client refuses this URI or header; a raw socket test covers such bytes
        }
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (!ALLOWED.contains(r.statusCode())) {
            throw new AssertionError("status " + r.statusCode() + " for query '" + query + "', Content-Type '" + contentType
                    + "', " + body.length + " body bytes: " + r.body());
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }
}
