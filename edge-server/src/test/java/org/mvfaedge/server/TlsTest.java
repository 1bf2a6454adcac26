package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS by configuration only (the README's micronaut.server.ssl settings): HTTPS works, plain HTTP is not served. */
class TlsTest {
    @Test
    void servesHttpsWithAConfiguredKeyStore(@TempDir Path tmp) throws Exception {
        Path ks = tmp.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mvfa", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        try (InputStream out = p.getInputStream()) {
            out.readAllBytes();
        }
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool");

        try (TestServer s = TestServer.start(List.of(TestPackages.brainFew()), Map.of("micronaut.server.ssl.enabled", true,
                "micronaut.server.ssl.port", -1, "micronaut.server.ssl.key-store.path", "file:" + ks,
                "micronaut.server.ssl.key-store.password", "changeit", "micronaut.server.ssl.key-store.type", "PKCS12"))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
            URI base = URI.create("https://127.0.0.1:" + s.server.getPort());
            assertEquals("https", s.server.getScheme());
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                    .header("X-API-Key", TestServer.USER_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.server.getPort() + "/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }
}
