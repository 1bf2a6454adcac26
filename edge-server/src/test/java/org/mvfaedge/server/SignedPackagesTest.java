package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.trust.Ed25519Keys;
import org.mvfaedge.sdk.pkg.trust.PackageSignature;
import org.mvfaedge.sdk.testing.SignedPackages;
import org.mvfaedge.server.cli.EdgeMain;
import picocli.CommandLine;

/**
 * Package signatures end to end: keys from {@code mvfa-edge keygen}, packages signed by {@code mvfa-edge sign}
 * and {@code enroll --sign-key}, then opened by {@code predict --trusted-key} (exit 0 / 2) and by the server on
 * loopback (start refused, reload 422 with the reason), for a good package, an unsigned one, one signed by
 * another key, and one byte changed in the manifest, in {@code model.onnx} and in the external data file.
 * The packages: the fixture's real exported few-shot package, and a toy one with external data (the fixture's
 * model is small enough to stay inline, as exports under 1 GB of weights do).
 */
class SignedPackagesTest {
    @TempDir
    static Path tmp;
    static Path keys;
    static Path ownerPriv;
    static Path ownerPub;
    static Path strangerPriv;
    /** Name -> package folder: good, unsigned, other-key, manifest, model, data-good, data. */
    static final Map<String, Path> PKGS = new LinkedHashMap<>();

    record Run(int rc, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @BeforeAll
    static void packages() throws Exception {
        keys = tmp.resolve("keys");
        Run k = cli("keygen", "--out", keys.toString());
        assertEquals(0, k.rc(), k.err());
        ownerPriv = keys.resolve("mvfa-signing.pem");
        ownerPub = keys.resolve("mvfa-signing.pub.pem");
        assertEquals(0, cli("keygen", "--out", keys.toString(), "--name", "stranger").rc());
        strangerPriv = keys.resolve("stranger.pem");

        Path real = TestPackages.brainFew();
        Path good = sign(SignedPackages.copy(real, tmp.resolve("good")), ownerPriv);
        PKGS.put("good", good);
        Path unsigned = SignedPackages.copy(good, tmp.resolve("unsigned"));
        Files.delete(unsigned.resolve(PackageSignature.FILE));
        PKGS.put("unsigned", unsigned);
        PKGS.put("other-key", sign(SignedPackages.copy(real, tmp.resolve("other-key")), strangerPriv));
        Path manifest = SignedPackages.copy(good, tmp.resolve("manifest"));
        // one byte: the decision threshold's first decimal digit
        String m = Files.readString(manifest.resolve(ModelPackage.MANIFEST));
        int at = m.indexOf("\"threshold\" : ") + "\"threshold\" : ".length() + 2;
        char c = m.charAt(at);
        Files.writeString(manifest.resolve(ModelPackage.MANIFEST), m.substring(0, at) + (c == '9' ? '8' : (char) (c + 1))
                + m.substring(at + 1));
        PKGS.put("manifest", manifest);
        Path model = SignedPackages.copy(good, tmp.resolve("model"));
        SignedPackages.flipByte(model.resolve("model.onnx"), -100);
        PKGS.put("model", model);
        Path dataGood = sign(SignedPackages.withExternalData(tmp.resolve("data-good"), 16, 0.5).dir(), ownerPriv);
        PKGS.put("data-good", dataGood);
        Path data = SignedPackages.copy(dataGood, tmp.resolve("data"));
        SignedPackages.flipByte(data.resolve(SignedPackages.DATA_FILE), 100);
        PKGS.put("data", data);
    }

    private static Path sign(Path pkg, Path key) {
        Run r = cli("sign", "--key", key.toString(), "--model", pkg.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("signed "), r.out());
        return pkg;
    }

    /** The reason each package must be refused with (null: accepted). */
    static String expected(String name) {
        return switch (name) {
            case "good", "data-good" -> null;
            case "unsigned" -> "UNSIGNED";
            case "other-key" -> "UNTRUSTED_KEY";
            case "manifest" -> "MANIFEST_CHANGED";
            default -> "FILE_CHANGED";
        };
    }

    @Test
    void keygenWritesAnOwnerOnlyPrivateKeyAndNeverOverwrites() throws Exception {
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(ownerPriv));
        assertTrue(Files.getPosixFilePermissions(ownerPub).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
        assertTrue(Files.readString(ownerPriv).startsWith("-----BEGIN PRIVATE KEY-----"));
        String before = Files.readString(ownerPriv);
        Run again = cli("keygen", "--out", keys.toString());
        assertEquals(2, again.rc());
        assertTrue(again.err().contains("never overwrites"), again.err());
        assertEquals(before, Files.readString(ownerPriv));
    }

    @Test
    void predictWithATrustedKeyRunsOnlyTheUntouchedPackages() throws Exception {
        Path image = TestPackages.image(0);
        for (Map.Entry<String, Path> p : PKGS.entrySet()) {
            Run r = cli("predict", "--model", p.getValue().toString(), "--providers", "cpu", "--json",
                    "--trusted-key", ownerPub.toString(), image.toString());
            String want = expected(p.getKey());
            if (want == null) {
                assertEquals(0, r.rc(), p.getKey() + ": " + r.err());
                assertTrue(new ObjectMapper().readTree(r.out().lines().findFirst().orElseThrow()).has("score"), r.out());
            } else {
                assertEquals(2, r.rc(), p.getKey() + ": " + r.out());
                assertTrue(r.err().contains("(" + want + ")"), p.getKey() + ": " + r.err());
                assertFalse(r.err().contains("\tat "), "one line, no stack trace: " + r.err());
            }
        }
        // without a trusted key the signature is not looked at: the unsigned package runs as before
        Run plain = cli("predict", "--model", PKGS.get("unsigned").toString(), "--providers", "cpu", image.toString());
        assertEquals(0, plain.rc(), plain.err());
    }

    @Test
    void enrollSignsTheNewPackageOnlyWhenAsked() throws Exception {
        Path support = org.mvfaedge.sdk.testing.Fixtures.fixture().resolve("images/img1.png");
        Path signedOut = tmp.resolve("enrolled-signed");
        Run e = cli("enroll", "--model", PKGS.get("good").toString(), "--trusted-key", ownerPub.toString(),
                "--providers", "cpu", "--out", signedOut.toString(), "--sign-key", ownerPriv.toString(), support.toString());
        assertEquals(0, e.rc(), e.err());
        assertTrue(e.out().contains("signed " + signedOut), e.out());
        Path unsignedOut = tmp.resolve("enrolled-unsigned");
        assertEquals(0, cli("enroll", "--model", PKGS.get("good").toString(), "--providers", "cpu", "--out",
                unsignedOut.toString(), support.toString()).rc());
        Path image = TestPackages.image(0);
        assertEquals(0, cli("predict", "--model", signedOut.toString(), "--providers", "cpu", "--trusted-key",
                ownerPub.toString(), image.toString()).rc());
        Run u = cli("predict", "--model", unsignedOut.toString(), "--providers", "cpu", "--trusted-key",
                ownerPub.toString(), image.toString());
        assertEquals(2, u.rc());
        assertTrue(u.err().contains("(UNSIGNED)"), u.err());
        // an enrolled package from a package this box does not trust is refused before any work
        Run bad = cli("enroll", "--model", PKGS.get("other-key").toString(), "--trusted-key", ownerPub.toString(),
                "--providers", "cpu", "--out", tmp.resolve("never").toString(), support.toString());
        assertEquals(2, bad.rc());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void serverRefusesToStartOnAnUntrustedPackage() throws Exception {
        for (String name : List.of("unsigned", "other-key", "manifest", "model", "data")) {
            Map<String, Object> props = Map.of("mvfa.trusted-keys", List.of(ownerPub.toString()));
            Exception e = assertThrows(Exception.class, () -> TestServer.start(List.of(PKGS.get(name)), props).close(),
                    name + " must not start");
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append('\n');
            }
            assertTrue(all.toString().contains("(" + expected(name) + ")"), name + ": " + all);
        }
    }

    @Test
    void serverWithKeysServesTheGoodPackageAndRefusesEachTamperedReload() throws Exception {
        Map<String, Object> props = Map.of("mvfa.trusted-keys", List.of(ownerPub.toString()));
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        try (LogCapture log = new LogCapture(); TestServer s = TestServer.start(List.of(PKGS.get("good")), props)) {
            String id = s.get("/v1/models", TestServer.USER_KEY).body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
            assertEquals(200, s.post("/v1/detect", TestServer.USER_KEY, "image/png", png).statusCode());
            List<String> refused = new ArrayList<>();
            for (String name : List.of("unsigned", "other-key", "manifest", "model")) {
                String body = "{\"path\":\"" + PKGS.get(name).toAbsolutePath() + "\"}";
                JsonNode p = ErrorResponsesTest.problem(s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY,
                        "application/json", body.getBytes()), 422);
                assertTrue(p.get("detail").asText().contains("(" + expected(name) + ")"), name + ": " + p);
                assertTrue(p.get("type").asText().endsWith("untrusted-model-package"), p.toString());
                refused.add(name);
                // the trusted version keeps serving
                assertEquals(200, s.post("/v1/detect", TestServer.USER_KEY, "image/png", png).statusCode());
            }
            assertEquals(4, refused.size());
            String good = "{\"path\":\"" + PKGS.get("good").toAbsolutePath() + "\"}";
            assertEquals(200, s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                    good.getBytes()).statusCode());
            assertFalse(log.text().contains("not verified"), "keys configured: no warning about unverified packages");
        }
        // the external-data pair: a server on the toy package, reloaded with its one-byte-changed copy
        try (TestServer s = TestServer.start(List.of(PKGS.get("data-good")), props)) {
            JsonNode p = ErrorResponsesTest.problem(s.post("/v1/models/toy-ext/reload", TestServer.ADMIN_KEY, "application/json",
                    ("{\"path\":\"" + PKGS.get("data").toAbsolutePath() + "\"}").getBytes()), 422);
            assertTrue(p.get("detail").asText().contains("(FILE_CHANGED)"), p.toString());
            assertTrue(p.get("detail").asText().contains(SignedPackages.DATA_FILE), p.toString());
        }
    }

    @Test
    void serverWithoutKeysSaysOnceThatPackagesAreNotVerified() throws Exception {
        try (LogCapture log = new LogCapture(); TestServer s = TestServer.start(List.of(PKGS.get("unsigned")), Map.of())) {
            String id = s.get("/v1/models", TestServer.USER_KEY).body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
            assertEquals(200, s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, null, new byte[0]).statusCode());
            long warnings = log.lines().stream().filter(l -> l.contains("model packages are not verified")).count();
            assertEquals(1, warnings, log.text());
        }
    }

    @Test
    void trainerExportSignsWithSignKey() throws Exception {
        var cfg = org.mvfaedge.sdk.testing.FixtureConfig.get();
        Path fx = cfg.dir();
        Path out = tmp.resolve("exported-signed");
        List<String> args = new ArrayList<>(List.of("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                "--bpe", org.mvfaedge.sdk.testing.Fixtures.bpe().toString(), "--adapters",
                fx.resolve("adapters/after_3_steps.pth").toString(), "--obj", "Brain", "--mode", "zero",
                "--data-path", fx.resolve("eval/data").toString(), "--calibrate-on", "valid", "--out", out.toString(),
                "--sign-key", ownerPriv.toString()));
        args.addAll(cfg.modelArgs());
        StringWriter o = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = org.mvfaedge.trainer.cli.Main.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        assertTrue(o.toString().contains("signed " + out), o.toString());
        org.mvfaedge.sdk.pkg.trust.PackageVerifier.verify(out,
                org.mvfaedge.sdk.pkg.trust.TrustedKeys.read(List.of(ownerPub)));
        // a key file that is not a private key stops the export before any work, with a one-line reason
        args.set(args.indexOf(ownerPriv.toString()), ownerPub.toString());
        args.set(args.indexOf(out.toString()), tmp.resolve("never-exported").toString());
        StringWriter err2 = new StringWriter();
        CommandLine cl2 = org.mvfaedge.trainer.cli.Main.commandLine();
        cl2.setErr(new PrintWriter(err2));
        assertEquals(2, cl2.execute(args.toArray(String[]::new)));
        assertTrue(err2.toString().contains("PRIVATE KEY"), err2.toString());
        assertFalse(Files.exists(tmp.resolve("never-exported")));
    }

    @Test
    void keyIdsAreTheDerSha256() throws Exception {
        String id = Ed25519Keys.keyId(Ed25519Keys.readPublic(ownerPub));
        JsonNode sig = new ObjectMapper().readTree(PKGS.get("good").resolve(PackageSignature.FILE).toFile());
        assertEquals(id, sig.get("key_id").asText());
        assertEquals(org.mvfaedge.sdk.pkg.Sha256.of(Ed25519Keys.readPublic(ownerPub).getEncoded()), id);
    }
}
