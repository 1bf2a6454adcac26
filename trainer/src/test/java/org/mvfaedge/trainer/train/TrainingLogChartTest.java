package org.mvfaedge.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's chart picture: with fewer than three evaluations a table (one text row per evaluation, so
 * its height grows by a row per record), from three on the two-panel chart; and the log never holds "NaN"
 * for an object without masks (JSON null instead).
 */
class TrainingLogChartTest {
    @TempDir
    Path tmp;

    private static EpochRecord record(int epoch, double pixelAuc) {
        return new EpochRecord(epoch, 8, 1.0 / (epoch + 1), EpochMetrics.of(0.6 + epoch / 100.0, pixelAuc), 1.5,
                epoch == 0);
    }

    @Test
    void aTableUntilThreeEvaluationsThenAChart() throws IOException {
        Path chart = tmp.resolve("Chest.png");
        TrainingLog log = new TrainingLog(tmp.resolve("Chest.log.jsonl"), chart);
        log.add(record(0, Double.NaN));
        BufferedImage one = ImageIO.read(chart.toFile());
        log.add(record(1, Double.NaN));
        BufferedImage two = ImageIO.read(chart.toFile());
        assertEquals(900, one.getWidth());
        int row = TrainingLog.FONT_SIZE + 13;
        assertEquals(row, two.getHeight() - one.getHeight(), "one more row for one more evaluation");
        assertTrue(two.getHeight() < 400, "a table is shorter than the chart");
        log.add(record(2, Double.NaN));
        BufferedImage three = ImageIO.read(chart.toFile());
        assertEquals(900, three.getWidth());
        assertEquals(400, three.getHeight(), "three evaluations: the two-panel chart");
        String jsonl = Files.readString(tmp.resolve("Chest.log.jsonl"));
        assertFalse(jsonl.contains("NaN"), jsonl);
        assertTrue(jsonl.contains("\"pixel_auc\":null"), jsonl);
    }

    @Test
    void aucsForPeopleSayNotApplicable() {
        assertEquals("n/a", EpochMetrics.format(Double.NaN));
        assertEquals("0.6543", EpochMetrics.format(0.65432));
    }
}
