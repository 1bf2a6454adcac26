package org.mvfaedge.trainer.ablation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mvfaedge.sdk.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code plot-runs}: the training curves of several runs on one chart (MVFA's train_few_graph.py does this
 * for its runs): mean loss and the evaluated image / pixel AUCs per epoch, from the JSON-lines logs
 * ({@code <Object>.log.jsonl}) that train-few and train-zero write, as SVG and PNG.
 */
@Command(name = "plot-runs", mixinStandardHelpOptions = true,
        description = "Plot the training curves (loss, image and pixel AUC per epoch) of several runs on one chart.")
public final class PlotRunsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN",
            description = "A run's log (<Object>.log.jsonl) or a folder holding logs (searched two levels down, e.g."
                    + " ckpt/few-shot or an ablation's output).")
    List<Path> runs;

    @Option(names = "--out", defaultValue = "build/plot-runs", paramLabel = "DIR",
            description = "Output folder for runs.svg and runs.png (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<Path> logs = new ArrayList<>();
        for (Path r : runs) {
            if (Files.isRegularFile(r)) {
                logs.add(r);
            } else if (Files.isDirectory(r)) {
                try (Stream<Path> s = Files.walk(r, 3)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".log.jsonl")).sorted().forEach(logs::add);
                }
            } else {
                throw new IllegalArgumentException("run " + r + " is neither a training log nor a folder");
            }
        }
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("no training log (*.log.jsonl) under " + runs);
        }
        List<Charts.Curve> curves = new ArrayList<>();
        for (Path log : logs) {
            curves.add(read(log, name(log, logs)));
        }
        Charts.Drawn chart = Charts.curves(curves);
        AtomicFiles.write(out.resolve("runs.svg"), chart.svg().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writePng(out.resolve("runs.png"), chart.png());
        spec.commandLine().getOut().println(curves.size() + " run(s) -> " + out.resolve("runs.svg") + ", "
                + out.resolve("runs.png"));
        return 0;
    }

    /** The run's name: the folders above its log that tell it apart (e.g. {@code few/6-12/few-shot/Brain}). */
    private static String name(Path log, List<Path> all) {
        String file = log.getFileName().toString().replace(".log.jsonl", "");
        Path parent = log.toAbsolutePath().getParent();
        String label = parent == null ? file : parent.getFileName() + "/" + file;
        if (all.size() > 1 && parent != null && parent.getParent() != null) {
            label = parent.getParent().getFileName() + "/" + label;
        }
        return label;
    }

    static Charts.Curve read(Path log, String name) {
        List<double[]> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                points.add(new double[] {n.path("epoch").asInt() + 1, num(n, "loss"), num(n, "image_auc"),
                    num(n, "pixel_auc")});
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the training log " + log + ": " + e.getMessage(), e);
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("the training log " + log + " has no evaluation yet");
        }
        int n = points.size();
        double[] x = new double[n];
        double[] loss = new double[n];
        double[] image = new double[n];
        double[] pixel = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = points.get(i)[0];
            loss[i] = points.get(i)[1];
            image[i] = points.get(i)[2];
            pixel[i] = points.get(i)[3];
        }
        return new Charts.Curve(name, x, loss, image, pixel);
    }

    private static double num(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
