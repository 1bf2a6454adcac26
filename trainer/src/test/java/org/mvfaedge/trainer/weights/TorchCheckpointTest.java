package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;

/** The three fixture encodings of one CLIP agree exactly; damaged files fail with a useful message. */
class TorchCheckpointTest {
    private static final Set<String> INT_SCALARS = Set.of("input_resolution", "context_length", "vocab_size");

    @TempDir
    Path tmp;

    @Test
    void torchScriptStateDictAndSafetensorsHoldTheSameTensors() {
        Path clip = Fixtures.fixture().resolve("clip");
        StateDict script = TorchCheckpoint.read(clip.resolve("clip-torchscript.pt"));
        StateDict saved = TorchCheckpoint.read(clip.resolve("clip-state-dict.pt"));
        StateDict safe = Safetensors.read(clip.resolve("clip.safetensors"));

        Set<String> savedFloats = new TreeSet<>(saved.names());
        savedFloats.removeAll(INT_SCALARS);
        assertEquals(new TreeSet<>(safe.names()), new TreeSet<>(script.names()), "TorchScript names");
        assertEquals(new TreeSet<>(safe.names()), savedFloats, "state-dict names (without the int scalars)");
        assertTrue(script.contains("visual.transformer.resblocks.0.attn.in_proj_weight"));
        assertTrue(script.names().stream().noneMatch(n -> n.contains("attn_mask")), "attn_mask is no parameter");

        double worst = 0;
        for (String name : safe.names()) {
            HostTensor want = safe.require(name);
            for (StateDict other : new StateDict[] {script, saved}) {
                HostTensor got = other.require(name);
                // The fixture's safetensors stores the 0-dim logit_scale as [1]: compare scalars by value only.
                if (want.numel() != 1) {
                    assertArrayEquals(want.shape(), got.shape(), name);
                }
                assertEquals(want.sourceType(), got.sourceType(), name);
                worst = Math.max(worst, Fixtures.maxAbsDiff(got.floats(), want.floats()));
                assertArrayEquals(want.floats(), got.floats(), name);
            }
        }
        System.out.printf("parity %-50s max abs diff %.3e (tol %.1e)%n", "clip weights: .pt / TorchScript vs safetensors",
                worst, 0.0);
        // OpenAI's releases keep conv and linear weights in fp16, layer norms in fp32.
        assertEquals(HostTensor.DType.F16, script.require("visual.conv1.weight").sourceType());
        assertEquals(HostTensor.DType.F32, script.require("visual.ln_pre.weight").sourceType());
    }

    @Test
    void intScalarsOfTheStateDictLoad() throws IOException {
        FixtureConfig fixture = FixtureConfig.get();
        StateDict saved = TorchCheckpoint.read(fixture.file("clip/clip-state-dict.pt"));
        HostTensor res = saved.require("input_resolution");
        assertEquals(HostTensor.DType.I64, res.sourceType());
        assertEquals(0, res.rank());
        assertEquals(fixture.nativeImageSize(), res.longs()[0]);
        assertEquals(fixture.contextLength(), saved.require("context_length").longs()[0]);
        assertEquals(fixture.vocabSize(), saved.require("vocab_size").longs()[0]);
    }

    @Test
    void stridedViewsAndOffsetsAreHonoured() throws IOException {
        // Storage 0..5 as float32; "t" is the transpose of its [3,2] view, "v" every other element from 1.
        var p = new TorchZipFiles.Pickle().proto().op('}').op('(');
        p.str("t").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {1, 2});
        p.str("v").tensor("FloatStorage", "0", 6, 1, new int[] {2}, new int[] {2});
        p.str("h").tensor("HalfStorage", "1", 2, 0, new int[] {2}, new int[] {1});
        p.op('u').op('.');
        ByteBuffer floats = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            floats.putFloat(i);
        }
        // 1.5 and -2 in binary16.
        byte[] halves = {0x00, 0x3e, 0x00, (byte) 0xc0};
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("hand/data.pkl", p.bytes());
        entries.put("hand/data/0", floats.array());
        entries.put("hand/data/1", halves);
        Path file = tmp.resolve("hand.pt");
        TorchZipFiles.writeStored(file, entries);

        StateDict sd = TorchCheckpoint.read(file);
        assertEquals(java.util.List.of("t", "v", "h"), java.util.List.copyOf(sd.names()));
        assertArrayEquals(new long[] {2, 3}, sd.require("t").shape());
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, sd.require("t").floats());
        assertArrayEquals(new float[] {1, 3}, sd.require("v").floats());
        assertArrayEquals(new float[] {1.5f, -2f}, sd.require("h").floats());
        assertEquals(HostTensor.DType.F16, sd.require("h").sourceType());
    }

    @Test
    void torchScriptKeepsDeclaredParametersAndBuffersOnly() throws IOException {
        // A module with a parameter, an undeclared tensor attribute (like CLIP's attn_mask) and a
        // child module whose tensor is a buffer; the classes are declared in code/__torch__/m.py.
        var p = new TorchZipFiles.Pickle().proto();
        p.global("__torch__.m", "Block").op(')').op((char) 0x81).op('}').op('(');
        p.str("weight").tensor("FloatStorage", "0", 4, 0, new int[] {2, 2}, new int[] {2, 1});
        p.str("attn_mask").tensor("FloatStorage", "1", 1, 0, new int[] {1}, new int[] {1});
        p.str("training").op((char) 0x89);
        p.str("child").global("__torch__.m", "Child").op(')').op((char) 0x81).op('}').op('(');
        p.str("running_mean").tensor("FloatStorage", "0", 4, 2, new int[] {2}, new int[] {1});
        p.op('u').op('b');
        p.op('u').op('b').op('.');
        String code = "class Block(Module):\n  __parameters__ = [\"weight\", ]\n  __buffers__ = []\n"
                + "  weight : Tensor\n  attn_mask : Tensor\n  child : __torch__.m.Child\n"
                + "class Child(Module):\n  __parameters__ = []\n  __buffers__ = [\"running_mean\", ]\n";
        ByteBuffer floats = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            floats.putFloat(10 + i);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model/data.pkl", p.bytes());
        entries.put("model/code/__torch__/m.py", code.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        entries.put("model/data/0", floats.array());
        entries.put("model/data/1", new byte[4]);
        Path file = tmp.resolve("script.pt");
        TorchZipFiles.writeStored(file, entries);

        StateDict sd = TorchCheckpoint.read(file);
        assertEquals(java.util.List.of("weight", "child.running_mean"), java.util.List.copyOf(sd.names()));
        assertArrayEquals(new float[] {12, 13}, sd.require("child.running_mean").floats());
    }

    @Test
    void aFileThatIsNoCheckpointIsRefused() throws IOException {
        Path file = tmp.resolve("notes.pt");
        Files.writeString(file, "these are not weights\n");
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("not a CLIP checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.fixture().resolve("clip/clip-state-dict.pt"));
        Path file = tmp.resolve("half.pt");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void aZipWithoutDataPklIsRefused() throws IOException {
        Path file = tmp.resolve("other.zip");
        TorchZipFiles.writeStored(file, Map.of("archive/readme.txt", new byte[] {1, 2, 3}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("without data.pkl"), e.getMessage());
    }

    @Test
    void aShortStorageRecordIsRefused() throws IOException {
        Path file = tmp.resolve("short.pth");
        TorchZipFiles.copyEdited(Fixtures.fixture().resolve("adapters/initial.pth"), file,
                (name, bytes) -> name.endsWith("/data/0") ? Arrays.copyOf(bytes, bytes.length - 4) : bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("data/0 is too short"), e.getMessage());
    }
}
