package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.server.dicom.DicomSamples;

/**
 * POST /v1/detect with DICOM over real HTTP: raw {@code application/dicom} and a multipart part give
 * every frame in one JSON body, equal to the SDK's DicomDetector run directly; {@code Accept:
 * application/dicom} gives a Secondary Capture that dciodvfy passes; damaged DICOM is a 422 with one
 * clear detail; logs and metrics hold no DICOM attribute value.
 */
class DicomServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static TestServer server;
    static LogCapture log;
    static Path multi;

    @BeforeAll
    static void start() throws Exception {
        DicomSamples.require();
        multi = DicomSamples.multiFrame(tmp, 3);
        log = new LogCapture();
        server = TestServer.start(TestPackages.brainFew());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private static HttpResponse<byte[]> post(String path, String contentType, String accept, byte[] body) throws Exception {
        HttpRequest.Builder b = server.request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-API-Key", TestServer.USER_KEY).header("Content-Type", contentType);
        if (accept != null) {
            b.header("Accept", accept);
        }
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void rawAndMultipartDicomGiveAllFramesInOneBodyAsTheSdkDoes() throws Exception {
        byte[] dcm = Files.readAllBytes(multi);
        HttpResponse<byte[]> raw = post("/v1/detect", "application/dicom", null, dcm);
        assertEquals(200, raw.statusCode(), new String(raw.body(), StandardCharsets.UTF_8));
        JsonNode j = JSON.readTree(raw.body());
        assertEquals(3, j.get("frames").size(), j.toString());
        List<DicomResult> want;
        try (AnomalyDetector d = AnomalyDetector.open(TestPackages.brainFew(),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            DicomDetector dd = new DicomDetector(d);
            want = dd.detect(dd.read(multi), FrameSelection.ALL, null);
        }
        for (int f = 0; f < 3; f++) {
            JsonNode fr = j.get("frames").get(f);
            assertEquals(f + 1, fr.get("dicom").get("frame").asInt());
            assertEquals("1.2.826.0.1.3680043.8.498.2", fr.get("dicom").get("study_instance_uid").asText());
            assertEquals("1.2.826.0.1.3680043.8.498.1", fr.get("dicom").get("sop_instance_uid").asText());
            assertEquals(want.get(f).detection().score(), fr.get("score").floatValue(), 0f);
            assertEquals(want.get(f).detection().regions().size(), fr.get("regions").size());
            for (JsonNode g : fr.get("regions")) {
                assertEquals(g.get("area").asDouble() * 0.25, g.get("area_mm2").asDouble(), 1e-9);
            }
        }
        String boundary = "mvfa-dicom-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan.dcm\"\r\n"
                + "Content-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(dcm);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<byte[]> mp = post("/v1/detect?frames=2-3", "multipart/form-data; boundary=" + boundary, null,
                body.toByteArray());
        assertEquals(200, mp.statusCode(), new String(mp.body(), StandardCharsets.UTF_8));
        JsonNode m = JSON.readTree(mp.body());
        assertEquals(2, m.get("frames").size());
        assertEquals(j.get("frames").get(1).get("score").floatValue(), m.get("frames").get(0).get("score").floatValue(), 0f);
    }

    @Test
    void acceptDicomAnswersTheSecondaryCapture() throws Exception {
        byte[] dcm = Files.readAllBytes(multi);
        HttpResponse<byte[]> r = post("/v1/detect?frames=2", "application/dicom", "application/dicom", dcm);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/dicom", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        Path sc = Files.write(tmp.resolve("server-sc.dcm"), r.body());
        DicomSamples.assertValid(sc);
        Path script = tmp.resolve("study.py");
        Files.writeString(script, "import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\n"
                + "print(ds.StudyInstanceUID, ds.InstanceNumber)\n");
        assertEquals("1.2.826.0.1.3680043.8.498.2 2", DicomSamples.run(tmp, DicomSamples.PYTHON.toString(), "-I",
                script.toString(), sc.toString()).strip());
        // three frames cannot be one capture: the caller is told to choose
        HttpResponse<String> all = server.send(server.request("/v1/detect").POST(HttpRequest.BodyPublishers.ofByteArray(dcm))
                .header("X-API-Key", TestServer.USER_KEY).header("Content-Type", "application/dicom")
                .header("Accept", "application/dicom").build());
        JsonNode p = ErrorResponsesTest.problem(all, 422);
        assertTrue(p.get("detail").asText().contains("frames=N"), p.toString());
    }

    @Test
    void damagedDicomIs422WithOneClearLineFast() throws Exception {
        Map<String, byte[]> bad = Map.of("truncated", DicomSamples.truncated(), "no-pixels", DicomSamples.noPixelData(),
                "huge", DicomSamples.hugeHeader(), "corrupt-fragment", DicomSamples.corruptFragment());
        Map<String, String> says = Map.of("truncated", "claims 32768 bytes but only", "no-pixels",
                "has no Pixel Data (7FE0,0010)", "huge", "over the limit of", "corrupt-fragment",
                "RLE header declares 9 segments");
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = server.post("/v1/detect", TestServer.USER_KEY, "application/dicom", e.getValue());
            double ms = (System.nanoTime() - t0) / 1e6;
            JsonNode p = ErrorResponsesTest.problem(r, 422);
            String detail = p.get("detail").asText();
            assertTrue(detail.contains(says.get(e.getKey())), e.getKey() + ": " + detail);
            assertFalse(detail.contains("\n"), detail);
            assertTrue(ms < 2000, e.getKey() + " took " + ms + " ms");
        }
    }

    @Test
    void logsAndMetricsCarryNoDicomAttributeValue() throws Exception {
        byte[] dcm = Files.readAllBytes(multi);
        assertEquals(200, post("/v1/detect", "application/dicom", null, dcm).statusCode());
        post("/v1/detect", "application/dicom", null, DicomSamples.truncated());
        String metrics = server.get("/prometheus", TestServer.USER_KEY).body();
        for (String value : List.of("1.2.826.0.1.3680043.8.498", "Test^Multi", "MF-1")) {
            assertFalse(log.text().contains(value), "log holds " + value + ":\n" + log.text());
            assertFalse(metrics.contains(value), "metrics hold " + value);
        }
        assertTrue(metrics.contains("mvfa_inference_seconds_count"), "inference counted");
    }
}
