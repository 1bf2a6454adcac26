package org.mvfaedge.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.ManifestSchema;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;
import picocli.CommandLine;

/**
 * Generates the real MVFA package the SDK module runs in its own tests
 * ({@code runtime-sdk/src/test/resources/packages/tiny-a-brain-zero-l1}), with the trainer's exporter on the
 * golden fixture: its tiny CLIP, its initial adapters (those of its forward outputs) cut to the first level ({@code --features 1},
 * so the graph holds one transformer layer and the package stays near 1 MB), zero-shot, calibrated on the
 * fixture's valid split. The first level's seg and det tokens are exactly the fixture's
 * {@code seg_tokens_level0} / {@code det_tokens_level0} (later levels do not influence them), which the SDK
 * test compares with. The manifest's time and id are fixed, so the output is the same bytes on every run
 * ({@link SdkTestPackageTest} regenerates it and compares the sha256s).
 *
 * <p>Regenerate after a change to the exporter: {@code mvn -pl trainer test -Dtest=SdkTestPackageTest
 * -Dmvfa.regenerate=true} (or run {@link #main} from the trainer's test class path).
 */
public final class SdkTestPackage {
    /** The committed package, from the repository root (the trainer's tests run in trainer/: {@code ../} first). */
    public static final Path COMMITTED = Path.of("runtime-sdk", "src", "test", "resources", "packages", "tiny-a-brain-zero-l1");
    static final String CREATED = "2026-01-01T00:00:00Z";
    static final String MODEL_ID = "tiny-a-Brain-zero-shot-level1";

    private SdkTestPackage() {
    }

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : Path.of("..").resolve(COMMITTED);
        generate(out);
        System.out.println("wrote " + out);
    }

    /** Writes the package to {@code out} (replacing what is there). */
    public static Path generate(Path out) throws Exception {
        // always the default fixture: the committed package is tiny-a's, whatever -Dmvfa.fixture says
        FixtureConfig cfg = FixtureConfig.of(Fixtures.shared().resolve(FixtureConfig.DEFAULT));
        Path fx = cfg.dir();
        Path work = Files.createTempDirectory("sdk-test-package");
        try {
            AdapterWeights all = AdapterCheckpoint.read(fx.resolve("adapters/initial.pth"));
            AdapterWeights first = new AdapterWeights(level0(all.seg()), level0(all.det()));
            Path adapters = work.resolve("initial-level0.safetensors");
            AdapterCheckpoint.write(adapters, first, Map.of());
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            int rc = cl.execute("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(), "--bpe",
                    Fixtures.bpe().toString(), "--adapters", adapters.toString(), "--obj", "Brain", "--img-size",
                    Integer.toString(cfg.imgSize()), "--features", Integer.toString(cfg.features()[0]), "--activation",
                    cfg.modelArgs().get(cfg.modelArgs().indexOf("--activation") + 1), "--mode", "zero", "--data-path",
                    fx.resolve("eval/data").toString(), "--calibrate-on", "valid", "--out", out.toString());
            if (rc != 0) {
                throw new IllegalStateException("export failed: " + err);
            }
        } finally {
            try (var s = Files.walk(work)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        // Fixed time and id: the same bytes on every run (sources name files, not the machine's folders).
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path manifest = out.resolve(ModelPackage.MANIFEST);
        ObjectNode m = (ObjectNode) json.readTree(manifest.toFile());
        m.put("created", CREATED);
        m.put("model_id", MODEL_ID);
        Files.writeString(manifest, json.writeValueAsString(m) + "\n");
        ModelPackage.open(ManifestSchema.assertValid(out));
        return out;
    }

    private static StateDict level0(StateDict branch) {
        Map<String, HostTensor> kept = new LinkedHashMap<>();
        for (String n : branch.names()) {
            if (n.startsWith("0.")) {
                kept.put(n, branch.require(n));
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalStateException("no level-0 adapter weights in " + List.copyOf(branch.names()));
        }
        return new StateDict(branch.source(), kept);
    }
}
