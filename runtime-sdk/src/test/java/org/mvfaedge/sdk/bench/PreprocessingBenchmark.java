package org.mvfaedge.sdk.bench;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the SDK's input stage: PNG decode, and PIL-compatible bicubic resize + /255 into a
 * reused tensor buffer, per input size. Run after {@code mvn -pl runtime-sdk test-compile}:
 * <pre>
 * mvn -q -pl runtime-sdk dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp runtime-sdk/target/test-classes:runtime-sdk/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main PreprocessingBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PreprocessingBenchmark {
    @Param({"512", "2048"})
    public int inputSide;

    @Param({"240"})
    public int modelSize;

    private byte[] png;
    private RgbImage decoded;
    private Preprocessor preprocessor;
    private float[] tensor;
    private final ImageDecoder decoder = new ImageDecoder();

    @Setup
    public void setUp() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(inputSide, inputSide,
                java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(1);
        for (int y = 0; y < inputSide; y++) {
            for (int x = 0; x < inputSide; x++) {
                int v = (int) (128 + 60 * Math.sin(x * 0.05) * Math.cos(y * 0.03)) + r.nextInt(16);
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        png = out.toByteArray();
        decoded = decoder.decode(png);
        preprocessor = new Preprocessor(modelSize);
        tensor = new float[preprocessor.imageLength()];
    }

    /** PIL bicubic to S x S and /255 into a reused buffer (what every detect call does after decoding). */
    @Benchmark
    public float[] resizeAndScale() {
        preprocessor.image(decoded, tensor, 0);
        return tensor;
    }

    /** PNG decode to RGB, then the same preprocessing: the whole input stage. */
    @Benchmark
    public float[] decodeResizeAndScale() {
        preprocessor.image(decoder.decode(png), tensor, 0);
        return tensor;
    }
}
