package org.mvfaedge.trainer.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;
import org.mvfaedge.trainer.weights.TorchCheckpoint;

/** The golden fixture's fp32 graph and inputs, shared by the tests of the graph variants. */
final class FixtureGraphs {
    final FixtureConfig config = FixtureConfig.get();
    final Path fixture = config.dir();
    final int imageSize = config.imgSize();
    final int[] features = config.features();
    /** Forward images: the batch the variants run. */
    final int images = config.images();
    final Activation activation = Activation.parse(config.activation());

    /**
     * The few-shot Brain graph with token outputs, from the adapters and memory bank the fixture's
     * forward outputs were computed with.
     */
    ModelProto brainFewShot() throws Exception {
        StateDict clip = OnnxModelWriterFixtureTest.withResizedPositions(
                TorchCheckpoint.read(fixture.resolve("clip/clip-torchscript.pt")),
                fixture.resolve("clip/positional_embedding_resized.npy"));
        AdapterWeights adapters = AdapterCheckpoint.read(fixture.resolve("adapters/initial.pth"));
        HostTensor text = OnnxModelWriterFixtureTest.tensor(Fixtures.npy(fixture.resolve("text/text_features_Brain.npy")));
        List<HostTensor> seg = new ArrayList<>();
        List<HostTensor> det = new ArrayList<>();
        for (int k = 0; k < features.length; k++) {
            seg.add(OnnxModelWriterFixtureTest.tensor(Fixtures.npy(fixture.resolve("memory/seg_level" + k + ".npy"))));
            det.add(OnnxModelWriterFixtureTest.tensor(Fixtures.npy(fixture.resolve("memory/det_level" + k + ".npy"))));
        }
        return OnnxModelWriter.model(clip, adapters, new ExportOptions(imageSize, features, activation, text,
                new MemoryBankRows(seg, det), true));
    }

    /** A reference array of each forward image, concatenated as a batch lays them out. */
    float[] batchOf(String file) {
        List<float[]> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            // Inputs are checked against fixture.json's img_size, the side the graph is exported for.
            parts.add(file.equals("input") ? config.input(i)
                    : Fixtures.npy(fixture.resolve("forward/img" + i + "/" + file + ".npy")).floats());
        }
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
