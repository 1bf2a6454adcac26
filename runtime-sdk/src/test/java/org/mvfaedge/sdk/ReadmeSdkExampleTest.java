package org.mvfaedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.bench.DetectBenchmark;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * The README's SDK example (the java block of "The embeddable detector") is a complete class: compiled
 * here as printed against the SDK's class path and run in its own JVM on a toy package and two PNGs.
 * Its printed scores must be the SDK's, and it must write the overlays it says it writes.
 */
class ReadmeSdkExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleCompilesAndRunsAsPrinted() throws Exception {
        Path readme = Path.of("..", "README.md");
        String md = Files.readString(readme, StandardCharsets.UTF_8);
        int section = md.indexOf("## The embeddable detector");
        assertTrue(section >= 0, "README.md has no SDK section");
        int start = md.indexOf("```java\n", section);
        assertTrue(start >= 0, "no java block in the SDK section");
        String code = md.substring(start + 8, md.indexOf("```", start + 8));
        String cls = code.replaceAll("(?s).*public class (\\w+).*", "$1");
        Path src = Files.createDirectories(tmp.resolve("src")).resolve(cls + ".java");
        Files.writeString(src, code, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(tmp.resolve("classes"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the example");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror", "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README's example does not compile as printed:\n" + diagnostics);

        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 16, 0.5).dir();
        Path a = Files.write(tmp.resolve("a.png"), DetectBenchmark.syntheticPng(40, 30, 1));
        Path b = Files.write(tmp.resolve("b.png"), DetectBenchmark.syntheticPng(24, 36, 2));
        Path work = Files.createDirectories(tmp.resolve("work"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", classes + ":" + System.getProperty("java.class.path"), cls,
                pkg.toString(), a.toString(), b.toString()).directory(work.toFile())
                .redirectError(tmp.resolve("err.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        String err = Files.readString(tmp.resolve("err.txt"));
        assertEquals(0, p.exitValue(), out + err);
        assertTrue(out.startsWith("running on CPU"), out);
        try (AnomalyDetector d = AnomalyDetector.open(pkg, DetectorOptions.defaults())) {
            for (Path img : List.of(a, b)) {
                // formatted as the example does (printf in the default locale, which the child JVM shares)
                String score = String.format(Locale.getDefault(), "%s: score %.4f", img.getFileName(), d.detect(img).score());
                assertTrue(out.lines().anyMatch(l -> l.startsWith(score)), "no line '" + score + "' in\n" + out);
                assertTrue(Files.size(work.resolve(img.getFileName() + ".overlay.png")) > 0);
            }
        }
        assertTrue(out.contains("batch of 2"), out);
    }
}
