package org.mvfaedge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.ToyPackages;
import picocli.CommandLine;

/** The benchmark runs and prints its figures (the figures themselves are reported, not asserted). */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsOnePreprocessingLineAndOneLinePerBatchSize() throws Exception {
        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 24, 0.5).dir();
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        int rc = cl.execute("--model", pkg.toString(), "--providers", "cpu", "--batches", "1,3", "--images", "3",
                "--warmup", "1", "--input", "64x48", "--preprocess-inputs", "64x48");
        assertEquals(0, rc);
        List<String> lines = out.toString().lines().toList();
        assertEquals(3, lines.size(), out.toString());
        JsonNode pre = new ObjectMapper().readTree(lines.get(0));
        assertEquals("preprocess", pre.get("benchmark").asText());
        assertEquals(24, pre.get("model_size").asInt());
        for (int i = 1; i < 3; i++) {
            JsonNode d = new ObjectMapper().readTree(lines.get(i));
            assertEquals(i == 1 ? 1 : 3, d.get("batch").asInt());
            assertEquals(3, d.get("images").asInt());
            double share = d.get("outside_inference_share").asDouble();
            assertTrue(share > 0 && share < 1, d.toString());
            assertTrue(d.get("images_per_s").asDouble() > 0, d.toString());
        }
    }
}
