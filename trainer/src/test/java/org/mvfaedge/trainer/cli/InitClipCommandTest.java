package org.mvfaedge.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import picocli.CommandLine;

/** init-clip writes a file that ClipWeights reads back as the requested architecture. */
class InitClipCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aCustomTinyClipRoundTrips() {
        Path out = tmp.resolve("tiny.safetensors");
        int code = new CommandLine(new InitClipCommand()).execute("--embed-dim", "48", "--image-size", "64",
                "--patch-size", "16", "--vision-layers", "3", "--vision-width", "192", "--text-width", "128",
                "--text-layers", "2", "--context-length", "20", "--vocab-size", "500", "--seed", "3", "--out", out.toString());
        assertEquals(0, code);
        ClipWeights w = ClipWeights.load(out);
        assertEquals(new ClipConfig(48, 64, 3, 192, 16, 3, 20, 500, 128, 2, 2), w.config());
        // fp16 by default, in OpenAI's mix.
        assertEquals(HostTensor.DType.F16, w.tensors().require("visual.conv1.weight").sourceType());
        assertEquals(HostTensor.DType.F16, w.tensors().require("transformer.resblocks.1.mlp.c_proj.bias").sourceType());
        assertEquals(HostTensor.DType.F32, w.tensors().require("visual.ln_post.weight").sourceType());
        assertEquals(HostTensor.DType.F32, w.tensors().require("token_embedding.weight").sourceType());
        assertEquals(64L, w.tensors().require("input_resolution").longs()[0]);
    }

    @Test
    void fp32KeepsEveryTensorInFloat32() {
        Path out = tmp.resolve("tiny32.safetensors");
        int code = new CommandLine(new InitClipCommand()).execute("--embed-dim", "64", "--image-size", "28",
                "--patch-size", "14", "--vision-layers", "1", "--vision-width", "64", "--text-width", "64",
                "--text-layers", "1", "--vocab-size", "100", "--precision", "fp32", "--out", out.toString());
        assertEquals(0, code);
        ClipWeights w = ClipWeights.load(out);
        assertEquals(ClipConfig.of(64, 28, 1, 64, 14, 77, 100, 64, 1), w.config());
        w.tensors().asMap().forEach((name, t) -> assertTrue(!t.isFloating() || t.sourceType() == HostTensor.DType.F32, name));
    }

    @Test
    void conflictingOrMissingSizesAreUsageErrors() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new InitClipCommand());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("--arch", "ViT-B-16", "--text-width", "64", "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("either --arch or the custom sizes"), err.toString());
        assertEquals(2, cl.execute("--arch", "ViT-X", "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("known: ViT-B-32"), err.toString());
        assertEquals(2, cl.execute("--vision-width", "64", "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("or all of --embed-dim"), err.toString());
    }
}
