package org.mvfaedge.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

class RocAucTest {
    /** Independent truth: the O(n^2) definition with ties counting one half. */
    private static double bruteForce(float[] s, boolean[] y) {
        double num = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (y[i] && !y[j]) {
                    pairs++;
                    num += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        return num / pairs;
    }

    @Test
    void handComputedWithTies() {
        // positives {0.8, 0.5}, negatives {0.5, 0.1}: pairs (0.8>0.5)=1,(0.8>0.1)=1,(0.5=0.5)=0.5,(0.5>0.1)=1 -> 3.5/4
        float[] s = {0.8f, 0.5f, 0.5f, 0.1f};
        boolean[] y = {true, true, false, false};
        assertEquals(0.875, RocAuc.of(s, y), 0);
    }

    @Test
    void matchesBruteForceOnRandomScoresWithManyTies() {
        Random r = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + r.nextInt(300);
            float[] s = new float[n];
            boolean[] y = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(20) / 4f; // coarse values: many ties
                y[i] = r.nextBoolean();
            }
            y[0] = true;
            y[1] = false;
            assertEquals(bruteForce(s, y), RocAuc.of(s.clone(), y), 1e-12);
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (y[i] ? 1 : 0);
            }
            assertEquals(bruteForce(s, y), RocAuc.of(s.clone(), b, n), 1e-12);
        }
    }

    @Test
    void equalsSklearnOnTheFixtureScores() throws Exception {
        Path dir = Fixtures.fixture();
        Npy labels = Npy.read(dir.resolve("metrics/labels.npy"));
        Npy scores = Npy.read(dir.resolve("metrics/scores.npy"));
        boolean[] y = new boolean[labels.size()];
        double[] l = labels.doubles();
        for (int i = 0; i < y.length; i++) {
            y[i] = l[i] > 0.5;
        }
        JsonNode fixture = FixtureConfig.get().json();
        double expected = fixture.get("roc_auc").asDouble();
        double actual = RocAuc.of(scores.floats(), y);
        System.out.printf("parity %-50s abs diff %.3e (tol 1e-6)%n", "roc_auc (metrics/)", Math.abs(actual - expected));
        assertEquals(expected, actual, 1e-6);
    }

    @Test
    void refusesSingleClassAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> RocAuc.of(new float[] {1, 2}, new boolean[] {true, true}));
        assertThrows(IllegalArgumentException.class,
                () -> RocAuc.of(new float[] {Float.NaN, 2}, new boolean[] {true, false}));
    }

    @Test
    void setNormalizationMapsToUnitRange() {
        float[] v = {2f, 4f, 3f};
        float[] mm = SetNormalization.minMaxInPlace(v, 3);
        assertEquals(2f, mm[0]);
        assertEquals(4f, mm[1]);
        assertEquals(0f, v[0]);
        assertEquals(1f, v[1]);
        assertEquals(0.5f, v[2]);
    }

    /** The fixture's expected (already set-normalised) scores give the reference's AUCs. */
    @Test
    void fixtureEvaluationScoresGiveTheReferenceAucs() throws Exception {
        Path dir = Fixtures.fixture();
        JsonNode eval = FixtureConfig.get().json().get("evaluation");
        String[][] cases = {{"Brain", "few_shot", "few_shot_k2_iterate0"}, {"Brain", "zero_shot", "zero_shot"},
            {"Chest", "few_shot", "few_shot_k2_iterate0"}, {"Chest", "zero_shot", "zero_shot"}};
        for (String[] c : cases) {
            JsonNode expected = eval.get(c[0]).get(c[2]);
            String prefix = "eval/expected/" + c[0] + "_" + c[1];
            double img = auc(dir.resolve(prefix + "_image_scores.npy"), dir.resolve(prefix + "_image_labels.npy"));
            System.out.printf("parity %-50s abs diff %.3e (tol 1e-6)%n", c[0] + " " + c[1] + " image AUC",
                    Math.abs(img - expected.get("image_auc").asDouble()));
            assertEquals(expected.get("image_auc").asDouble(), img, 1e-6);
            if (expected.has("pixel_auc")) {
                double px = auc(dir.resolve(prefix + "_pixel_scores.npy"), dir.resolve(prefix + "_pixel_labels.npy"));
                System.out.printf("parity %-50s abs diff %.3e (tol 1e-6)%n", c[0] + " " + c[1] + " pixel AUC",
                        Math.abs(px - expected.get("pixel_auc").asDouble()));
                assertEquals(expected.get("pixel_auc").asDouble(), px, 1e-6);
            }
        }
    }

    private static double auc(Path scores, Path labels) throws Exception {
        float[] s = Npy.read(scores).floats();
        double[] l = Npy.read(labels).doubles();
        boolean[] y = new boolean[l.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = l[i] > 0.5;
        }
        return RocAuc.of(s, y);
    }
}
