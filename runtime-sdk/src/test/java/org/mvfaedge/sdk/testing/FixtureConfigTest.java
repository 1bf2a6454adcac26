package org.mvfaedge.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The helper's reading of fixture.json: against the fixture's own arrays (every shape the
 * configuration implies must be the shape of the files, so a fixture.json that does not describe its
 * fixture fails here naming the field), against a hand-written configuration of another shape, and
 * its skip-or-fail rule when the fixture is missing.
 */
class FixtureConfigTest {
    @TempDir
    Path tmp;

    private static long[] shape(FixtureConfig c, String relative) {
        return Fixtures.npy(c.file(relative)).shape;
    }

    private static void assertShape(FixtureConfig c, String relative, String because, long... expected) {
        long[] got = shape(c, relative);
        assertArrayEquals(expected, got, "fixture.json (" + because + ") implies " + relative + " is "
                + Arrays.toString(expected) + ", the file is " + Arrays.toString(got));
    }

    @Test
    void theConfigurationDescribesTheFixturesArrays() {
        FixtureConfig c = FixtureConfig.get();
        System.out.println("fixture configuration: " + c);
        String img = "img_size " + c.imgSize();
        String tok = "img_size " + c.imgSize() + " // patch " + c.patchSize() + " = grid " + c.grid() + ", "
                + c.tokens() + " tokens; adapter_bottleneck " + c.bottleneck();
        assertFalse(c.forwardImages().isEmpty(), "no forward/img<i> folders in " + c.dir());
        for (String image : c.forwardImages()) {
            String d = "forward/" + image + "/";
            assertShape(c, d + "input.npy", img, 3, c.imgSize(), c.imgSize());
            assertShape(c, d + "mask.npy", img, 1, c.imgSize(), c.imgSize());
            assertShape(c, d + "few_seg_map.npy", img, c.imgSize(), c.imgSize());
            assertShape(c, d + "pooled.npy", "embed_dim " + c.embedDim(), c.embedDim());
            for (String object : c.zeroShotObjects()) {
                assertShape(c, d + "zero_" + object + "_pixel_map.npy", img, c.imgSize(), c.imgSize());
            }
            for (int k = 0; k < c.levels(); k++) {
                for (String branch : FixtureConfig.BRANCHES) {
                    assertShape(c, d + branch + "_tokens_level" + k + ".npy", tok, c.tokens(), c.bottleneck());
                }
            }
            assertFalse(Files.exists(c.file(d + "seg_tokens_level" + c.levels() + ".npy")),
                    "fixture.json has " + c.levels() + " features (" + c.featuresArg() + ") but " + d
                            + " holds tokens of level " + c.levels());
            assertTrue(Files.isRegularFile(c.file("images/" + image + ".png")), image + ".png missing");
        }
        assertShape(c, "clip/positional_embedding_resized.npy", tok + "; vision.width " + c.visionWidth(), c.tokens(),
                c.visionWidth());
        for (int k = 0; k < c.levels(); k++) {
            for (String branch : FixtureConfig.BRANCHES) {
                assertShape(c, "memory/" + branch + "_level" + k + ".npy", c.shots() + " support images x 11 views x "
                        + c.tokens() + " tokens", c.memoryBankRows(), c.bottleneck());
            }
        }
        for (String support : c.supportImages()) {
            assertTrue(Files.isRegularFile(c.file("images/" + support + ".png")), "memory_support_images names "
                    + support + " but images/" + support + ".png is missing");
        }
        for (String object : c.objects().keySet()) {
            assertShape(c, "text/text_features_" + object + ".npy", "embed_dim " + c.embedDim(), c.embedDim(), 2);
        }
        assertEquals(c.contextLength(), shape(c, "text/tokenize_examples.npy")[1], "text.context_length");
        assertEquals(c.nativeImageSize(), c.nativeGrid() * c.patchSize(), "vision.image_size is whole patches");
        assertTrue(c.zeroShotObjects().size() > 0, "no zero_<Object>_pixel_map.npy under forward/");
    }

    @Test
    void everyTrainingStepDumpsExactlyTheAdapterTensorsTheConfigurationNames() throws IOException {
        FixtureConfig c = FixtureConfig.get();
        assertFalse(c.trainSteps().isEmpty());
        assertEquals(c.levels() * 2 * 2, c.adapterTensorNames().size());
        for (FixtureConfig.TrainStep step : c.trainSteps()) {
            Path dir = c.file("train/step" + step.step());
            Set<String> weights = new TreeSet<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npy") && !n.endsWith(".grad.npy"))
                        .forEach(n -> weights.add(n.substring(0, n.length() - ".npy".length())));
            }
            assertEquals(new TreeSet<>(c.adapterTensorNames()), weights, "train/step" + step.step()
                    + " against features " + c.featuresArg());
            for (int k = 0; k < c.levels(); k++) {
                String fc1 = "train/step" + step.step() + "/" + FixtureConfig.adapterTensor("seg", k, "fc1") + ".npy";
                String fc2 = "train/step" + step.step() + "/" + FixtureConfig.adapterTensor("det", k, "fc2") + ".npy";
                String why = "adapter_bottleneck " + c.bottleneck() + ", vision.width " + c.visionWidth();
                assertShape(c, fc1, why, c.bottleneck(), c.visionWidth());
                assertShape(c, fc2, why, c.visionWidth(), c.bottleneck());
            }
            assertTrue(c.objects().containsKey(step.object()), "train step object " + step.object());
            assertTrue(c.forwardImages().contains(step.image()), "train step image " + step.image());
        }
    }

    @Test
    void inputsMasksAndMapsAreCheckedAgainstTheImageSize() throws IOException {
        FixtureConfig real = FixtureConfig.get();
        assertEquals(3 * real.pixels(), real.input(0).length);
        assertArrayEquals(Fixtures.npy(real.file("forward/img0/input.npy")).floats(), real.input("img0"));
        assertEquals(real.pixels(), real.mask("img0").length);
        assertEquals(real.pixels(), real.map("forward/img0/few_seg_map.npy").length);

        // The same arrays under a fixture.json that claims another img_size: every accessor names the mismatch.
        int wrong = real.imgSize() + 8;
        Path dir = Files.createDirectories(tmp.resolve("wrong-size/forward/img0")).getParent().getParent();
        com.fasterxml.jackson.databind.node.ObjectNode json = real.json().deepCopy();
        json.put("img_size", wrong);
        Files.writeString(dir.resolve("fixture.json"), json.toString());
        for (String f : List.of("input.npy", "mask.npy", "few_seg_map.npy")) {
            Files.copy(real.file("forward/img0/" + f), dir.resolve("forward/img0/" + f));
        }
        FixtureConfig c = FixtureConfig.of(dir);
        int s = real.imgSize();
        AssertionError e = assertThrows(AssertionError.class, () -> c.input(0));
        assertTrue(e.getMessage().startsWith("forward/img0/input.npy is [3, " + s + ", " + s + "] but fixture.json's img_size "
                + wrong + " needs [3, " + wrong + ", " + wrong + "]"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.mask("img0"));
        assertTrue(e.getMessage().startsWith("forward/img0/mask.npy is [1, " + s + ", " + s + "]"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.map("forward/img0/few_seg_map.npy"));
        assertTrue(e.getMessage().contains("img_size " + wrong + " needs [" + wrong + ", " + wrong + "]"), e.getMessage());
    }

    private Path writeFixtureJson(String json) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("fx-" + Math.abs(json.hashCode())));
        Files.writeString(dir.resolve("fixture.json"), json);
        return dir;
    }

    /** A configuration unlike tiny-a's, with every derived number computed by hand. */
    @Test
    void derivedCountsOfAnotherConfigurationByHand() throws IOException {
        Path dir = writeFixtureJson("""
                {"config": "hand", "embed_dim": 40, "img_size": 70, "features": [3, 6],
                 "vision": {"image_size": 96, "layers": 6, "width": 192, "patch_size": 16},
                 "text": {"context_length": 33, "vocab_size": 500, "width": 32, "heads": 2, "layers": 3},
                 "activation": "quick_gelu (as OpenAI trained it)", "adapter_bottleneck": 48,
                 "objects": {"Knee": "knee MRI", "Lung": "chest CT"},
                 "memory_support_images": ["s0", "s1", "s2"],
                 "train_steps": [{"step": 0, "object": "Knee", "image": "img2", "label": 1.0, "det_loss": 1.5,
                                  "seg_loss": 2.5, "loss": 4.0},
                                 {"step": 1, "object": "Lung", "image": "img10", "label": 0.0, "det_loss": 0.5,
                                  "loss": 0.5}]}
                """);
        for (String image : List.of("img10", "img2", "img0", "notes")) {
            Files.createDirectories(dir.resolve("forward/" + image));
        }
        Files.writeString(dir.resolve("forward/img0/zero_Lung_pixel_map.npy"), "");
        Files.writeString(dir.resolve("forward/img0/zero_Knee_pixel_map.npy"), "");
        Files.writeString(dir.resolve("forward/img0/few_seg_map.npy"), "");

        FixtureConfig c = FixtureConfig.of(dir);
        assertEquals("hand", c.name());
        assertEquals(70, c.imgSize());
        assertEquals(4900, c.pixels());
        assertArrayEquals(new int[] {3, 6}, c.features());
        assertEquals("3,6", c.featuresArg());
        assertEquals(2, c.levels());
        assertEquals("quick-gelu", c.activation());
        assertEquals(List.of("--img-size", "70", "--features", "3,6", "--activation", "quick-gelu"), c.modelArgs());
        // 70 // 16 = 4 (the last 6 pixels unseen), 16 patches + CLS; the native 96 // 16 = 6.
        assertEquals(4, c.grid());
        assertEquals(16, c.patches());
        assertEquals(17, c.tokens());
        assertEquals(6, c.nativeGrid());
        assertEquals(3, c.visionHeads(), "192 / 64");
        assertEquals(48, c.bottleneck());
        assertEquals(40, c.embedDim());
        assertEquals(33, c.contextLength());
        // 3 shots x 11 augmented views (utils.augment) x 17 tokens.
        assertEquals(561, c.memoryBankRows());
        assertEquals(187, c.memoryBankRows(1));
        // 2 levels x (seg, det) x (fc1, fc2).
        assertEquals(8, c.adapterTensorCount());
        assertEquals(List.of("seg_adapters.0.fc1.0.weight", "seg_adapters.0.fc2.0.weight", "seg_adapters.1.fc1.0.weight",
                "seg_adapters.1.fc2.0.weight", "det_adapters.0.fc1.0.weight", "det_adapters.0.fc2.0.weight",
                "det_adapters.1.fc1.0.weight", "det_adapters.1.fc2.0.weight"), c.adapterTensorNames());
        assertEquals(Map.of("Knee", "knee MRI", "Lung", "chest CT"), c.objects());
        assertEquals(List.of("s0", "s1", "s2"), c.supportImages());
        assertEquals(List.of("img0", "img2", "img10"), c.forwardImages(), "numeric order, other folders ignored");
        assertEquals(List.of("Knee", "Lung"), c.zeroShotObjects(), "in the order of objects");
        assertEquals(2, c.trainSteps().size());
        assertEquals(1, c.segTrainSteps());
        assertEquals("img10", c.trainSteps().get(1).image());
        assertEquals(0f, c.trainSteps().get(1).label());
        assertEquals(2.5, c.trainSteps().get(0).loss("seg_loss"));
        AssertionError noSeg = assertThrows(AssertionError.class, () -> c.trainSteps().get(1).loss("seg_loss"));
        assertTrue(noSeg.getMessage().contains("train step 1") && noSeg.getMessage().contains("seg_loss"),
                noSeg.getMessage());
    }

    @Test
    void aMissingOrMalformedFieldIsNamedWithTheFile() throws IOException {
        Path noSize = writeFixtureJson("{\"config\": \"x\", \"features\": [1]}");
        AssertionError e = assertThrows(AssertionError.class, () -> FixtureConfig.of(noSize));
        assertTrue(e.getMessage().contains("lacks 'img_size'") && e.getMessage().contains(noSize.toString()),
                e.getMessage());
        Path noPatch = writeFixtureJson("{\"config\": \"x\", \"img_size\": 64, \"features\": [1], \"activation\": \"gelu\","
                + " \"embed_dim\": 8, \"adapter_bottleneck\": 8, \"vision\": {\"image_size\": 90}}");
        e = assertThrows(AssertionError.class, () -> FixtureConfig.of(noPatch));
        assertTrue(e.getMessage().contains("lacks 'vision.layers'"), e.getMessage());
        Path emptyFeatures = writeFixtureJson("{\"config\": \"x\", \"img_size\": 64, \"features\": []}");
        e = assertThrows(AssertionError.class, () -> FixtureConfig.of(emptyFeatures));
        assertTrue(e.getMessage().contains("'features' must be a non-empty list"), e.getMessage());
        Path zeroSize = writeFixtureJson("{\"config\": \"x\", \"img_size\": 0}");
        e = assertThrows(AssertionError.class, () -> FixtureConfig.of(zeroSize));
        assertTrue(e.getMessage().contains("'img_size' must be a positive integer, got 0"), e.getMessage());
    }

    @Test
    void aMissingFixtureSkipsOnAUsersCloneAndFailsUnderCi() {
        String what = "golden fixture not found: no fixture.json in /nowhere";
        AssertionError ci = assertThrows(AssertionError.class, () -> Fixtures.require(false, what, true));
        assertEquals("CI=true but " + what, ci.getMessage());
        TestAbortedException skip = assertThrows(TestAbortedException.class, () -> Fixtures.require(false, what, false));
        assertTrue(skip.getMessage().contains(what), skip.getMessage());
        Fixtures.require(true, what, true);
    }

    @Test
    void thePropertyChoosesTheFixtureFolder() throws IOException {
        Path chosen = writeFixtureJson("{\"config\": \"chosen\"}");
        Path empty = Files.createDirectories(tmp.resolve("no-fixture-here"));
        String before = System.getProperty(FixtureConfig.PROPERTY);
        try {
            System.setProperty(FixtureConfig.PROPERTY, chosen.toString());
            assertEquals(chosen.toAbsolutePath().normalize(), Fixtures.fixture());
            System.setProperty(FixtureConfig.PROPERTY, empty.toString());
            // The environment decides which of the two a missing fixture is; either names the folder.
            Class<? extends Throwable> expected = Fixtures.ci() ? AssertionError.class : TestAbortedException.class;
            Throwable t = assertThrows(expected, Fixtures::fixture);
            assertTrue(t.getMessage().contains(empty.toString()) && t.getMessage().contains("no fixture.json"),
                    t.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(FixtureConfig.PROPERTY);
            } else {
                System.setProperty(FixtureConfig.PROPERTY, before);
            }
        }
    }
}
