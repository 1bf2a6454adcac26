package org.mvfaedge.trainer.ablation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.eval.Branches;
import org.mvfaedge.sdk.util.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code ablate}: the paper's ablation of adapter levels (Table 5; MVFA ships ablation_train_zero.py and
 * ablation_test_zero.py). For each level set it runs exactly the {@code train-few} (or {@code train-zero})
 * and {@code test-few} (or {@code test-zero}) commands a user would, with {@code --features} set to the
 * levels and the set's own {@code --save-path}, so a row is what the plain commands compute with the same
 * options. Every other option is passed on to whichever of the two commands takes it. With {@code --branches}
 * each trained set is also tested with one adapter branch alone ({@code test-few --branches seg|det}). A set's
 * finished training is recorded in {@code <out>/<mode>/<levels>/trained.json} and each finished test in
 * {@code result-<branches>.json}; neither is run again, and an interrupted training resumes from its last
 * epoch ({@code --resume}).
 */
@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = {"Train and test adapters at each set of levels (the paper's ablation, Table 5) and tabulate"
            + " the AUCs.", "Every option of train-few/test-few (train-zero/test-zero) is passed on, e.g. --clip,"
            + " --bpe, --obj, --data-path, --img-size, --features (all levels), --epochs, --shot, --seed."})
public final class AblateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", required = true, paramLabel = "zero|few", description = "The protocol: few or zero.")
    String mode;

    @Option(names = "--level-sets", paramLabel = "SETS",
            description = "Level sets, ';' between sets, ',' within one, e.g. \"6;12;18;24;6,12,18,24\" (default: each"
                    + " level of --features alone, then all of them).")
    String levelSets;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default build/ablation/<object>).")
    Path out;

    @Option(names = "--branches", defaultValue = "both", paramLabel = "both|seg|det[,...]",
            description = "Adapter branches to test each level set with: both (the paper), seg or det alone for both"
                    + " outputs; several separated by ',' give a row each (the training is shared) (default ${DEFAULT-VALUE}).")
    String branches;

    @Unmatched
    List<String> passOn = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        boolean few = switch (mode.toLowerCase(Locale.ROOT)) {
            case "few" -> true;
            case "zero" -> false;
            default -> throw new ParameterException(spec.commandLine(), "--mode must be few or zero, got '" + mode + "'");
        };
        String train = few ? "train-few" : "train-zero";
        String test = few ? "test-few" : "test-zero";
        String runDir = few ? "few-shot" : "zero-shot";
        CommandLine root = Main.commandLine();
        Split split = Split.of(passOn, root.getSubcommands().get(train).getCommandSpec(),
                root.getSubcommands().get(test).getCommandSpec(), spec.commandLine());
        String object = split.value("--obj");
        if (object == null) {
            throw new ParameterException(spec.commandLine(), "--obj is required (the object to ablate)");
        }
        int[] all = split.value("--features") == null ? org.mvfaedge.trainer.pipeline.PaperDefaults.features()
                : Arrays.stream(split.value("--features").split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        List<LevelSet> sets;
        try {
            sets = levelSets == null ? LevelSet.defaults(all) : LevelSet.parseAll(levelSets);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path outDir = out != null ? out : Path.of("build", "ablation", object);
        Path runs = outDir.resolve(few ? "few" : "zero");
        PrintStream err = System.err;
        PrintWriter stdout = spec.commandLine().getOut();
        List<AblationRow> rows = new ArrayList<>();
        long start = System.nanoTime();
        int ran = 0;
        double ranSeconds = 0;
        List<Branches> branchChoices = new ArrayList<>();
        for (String b : branches.split(",")) {
            try {
                Branches parsed = Branches.parse(b);
                if (!branchChoices.contains(parsed)) {
                    branchChoices.add(parsed);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--branches: " + e.getMessage());
            }
        }
        for (int i = 0; i < sets.size(); i++) {
            LevelSet set = sets.get(i);
            Path dir = runs.resolve(set.name());
            String tag = String.format(Locale.ROOT, "ablate [%d/%d] levels %s", i + 1, sets.size(), set.label());
            Path checkpointDir = dir.resolve(runDir);
            Path adapters = checkpointDir.resolve(object + ".safetensors");
            Path trainedMarker = dir.resolve("trained.json");
            long t0 = System.nanoTime();
            JsonNode trained;
            double trainSeconds;
            boolean allDone = branchChoices.stream().allMatch(b -> Files.isRegularFile(resultFile(dir, b)));
            if (Files.isRegularFile(trainedMarker)) {
                trained = readJson(trainedMarker);
                trainSeconds = trained.path("ablate_train_seconds").asDouble();
                err.println(tag + ": " + (allDone ? "done" : "trained") + " in an earlier run (" + dir
                        + "), not trained again");
            } else {
                int left = sets.size() - i;
                String eta = ran == 0 ? "time left unknown until a set finishes"
                        : String.format(Locale.ROOT, "about %.0f s left", ranSeconds / ran * left);
                err.printf(Locale.ROOT, "%s: training %s (%.0f s so far, %s)%n", tag, train,
                        (System.nanoTime() - start) / 1e9, eta);
                List<String> trainArgs = new ArrayList<>(split.train());
                trainArgs.addAll(List.of("--features", set.label(), "--save-path", dir.toString(), "--json"));
                if (Files.isRegularFile(checkpointDir.resolve(object + ".last.safetensors"))) {
                    trainArgs.add("--resume");
                    err.println(tag + ": resuming the interrupted training from its last epoch");
                }
                trained = run(train, trainArgs);
                trainSeconds = (System.nanoTime() - t0) / 1e9;
                ObjectNode marker = ((ObjectNode) trained).deepCopy();
                marker.put("ablate_train_seconds", trainSeconds);
                AtomicFiles.write(trainedMarker, (marker.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Integer bestEpoch = trained.hasNonNull("best_epoch") ? trained.get("best_epoch").asInt() + 1 : null;
            for (Branches b : branchChoices) {
                Path result = resultFile(dir, b);
                if (Files.isRegularFile(result)) {
                    rows.add(readRow(result));
                    continue;
                }
                AblationRow row;
                if (!Files.isRegularFile(adapters)) {
                    err.println(tag + ": no epoch improved on the criterion, so no checkpoint to test");
                    row = new AblationRow(set, b.id(), Double.NaN, null, null, trainSeconds, 0);
                } else {
                    err.printf(Locale.ROOT, "%s: testing (%s --branches %s)%n", tag, test, b.id());
                    long t1 = System.nanoTime();
                    List<String> testArgs = new ArrayList<>(split.test());
                    testArgs.addAll(List.of("--features", set.label(), "--adapters", adapters.toString(), "--branches",
                            b.id(), "--json"));
                    JsonNode tested = run(test, testArgs);
                    JsonNode pixel = tested.get("pixel_auc");
                    row = new AblationRow(set, b.id(), tested.get("image_auc").asDouble(),
                            pixel == null || pixel.isNull() ? null : pixel.asDouble(), bestEpoch, trainSeconds,
                            (System.nanoTime() - t1) / 1e9);
                }
                writeRow(result, row);
                rows.add(row);
            }
            ran++;
            ranSeconds += (System.nanoTime() - t0) / 1e9;
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("mode", few ? "few-shot" : "zero-shot");
        settings.put("options", passOn);
        AblationTable table = new AblationTable(object, few ? "few-shot" : "zero-shot", rows, settings);
        write(outDir, table);
        stdout.print(table.text());
        stdout.println("-> " + outDir.resolve("ablation.json") + ", ablation.csv, ablation.svg, ablation.png, ablation.html");
        stdout.flush();
        return 0;
    }

    /** Runs a subcommand of {@code ./mvfa} in this process; its JSON line is the result. */
    private JsonNode run(String command, List<String> args) {
        CommandLine cl = Main.commandLine();
        StringWriter captured = new StringWriter();
        StringWriter errors = new StringWriter();
        cl.setOut(new PrintWriter(captured));
        cl.setErr(new PrintWriter(errors));
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.addAll(args);
        int rc = cl.execute(argv.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalArgumentException(command + " failed (exit " + rc + "): " + errors.toString().strip());
        }
        String text = captured.toString().strip();
        String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (last == null) {
            throw new IllegalStateException(command + " printed no JSON result: " + text);
        }
        try {
            return JSON.readTree(last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The finished test of one branch choice of a level set. */
    private static Path resultFile(Path dir, Branches b) {
        return dir.resolve("result-" + b.id() + ".json");
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + "); delete its folder to"
                    + " run the level set again", e);
        }
    }

    private static AblationRow readRow(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            List<Integer> levels = new ArrayList<>();
            n.get("level_list").forEach(v -> levels.add(v.asInt()));
            JsonNode image = n.get("image_auc");
            JsonNode pixel = n.get("pixel_auc");
            JsonNode epoch = n.get("best_epoch");
            return new AblationRow(new LevelSet(levels), n.get("branches").asText(),
                    image == null || image.isNull() ? Double.NaN : image.asDouble(),
                    pixel == null || pixel.isNull() ? null : pixel.asDouble(),
                    epoch == null || epoch.isNull() ? null : epoch.asInt(), n.path("train_seconds").asDouble(),
                    n.path("test_seconds").asDouble());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the finished level set " + file + " (" + e.getMessage()
                    + "); delete its folder to run it again", e);
        }
    }

    private static void writeRow(Path file, AblationRow r) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("levels", r.levels().label());
        r.levels().levels().forEach(n.putArray("level_list")::add);
        n.put("branches", r.branches());
        if (Double.isFinite(r.imageAuc())) {
            n.put("image_auc", r.imageAuc());
        } else {
            n.putNull("image_auc");
        }
        if (r.pixelAuc() == null) {
            n.putNull("pixel_auc");
        } else {
            n.put("pixel_auc", r.pixelAuc());
        }
        if (r.bestEpoch() == null) {
            n.putNull("best_epoch");
        } else {
            n.put("best_epoch", r.bestEpoch());
        }
        n.put("train_seconds", r.trainSeconds());
        n.put("test_seconds", r.testSeconds());
        AtomicFiles.write(file, (n.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path dir, AblationTable table) throws IOException {
        AtomicFiles.write(dir.resolve("ablation.json"), table.json().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("ablation.csv"), table.csv().getBytes(StandardCharsets.UTF_8));
        List<String> labels = table.rows().stream().map(r -> r.branches().equals("both") ? r.levels().label()
                : r.levels().label() + " " + r.branches()).toList();
        double[] image = table.rows().stream().mapToDouble(AblationRow::imageAuc).toArray();
        double[] pixel = table.rows().stream().mapToDouble(r -> r.pixelAuc() == null ? Double.NaN : r.pixelAuc()).toArray();
        Charts.Drawn chart = Charts.aucBars(table.object() + ", " + table.protocol() + ": AUC per adapter level set",
                labels, image, pixel);
        AtomicFiles.write(dir.resolve("ablation.svg"), chart.svg().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writePng(dir.resolve("ablation.png"), chart.png());
        AtomicFiles.write(dir.resolve("ablation.html"), html(table).getBytes(StandardCharsets.UTF_8));
    }

    private static String html(AblationTable t) {
        StringBuilder rows = new StringBuilder();
        for (AblationRow r : t.rows()) {
            rows.append("<tr><td>").append(r.levels().label()).append("</td><td>").append(r.branches()).append("</td><td>")
                    .append(Double.isFinite(r.imageAuc()) ? String.format(Locale.ROOT, "%.2f", 100 * r.imageAuc()) : "n/a")
                    .append("</td><td>").append(r.pixelAuc() == null ? "n/a"
                            : String.format(Locale.ROOT, "%.2f", 100 * r.pixelAuc()))
                    .append("</td></tr>\n");
        }
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ablation: "
                + Canvas.Svg.escape(t.object()) + "</title>\n<style>body{font-family:sans-serif;margin:2em}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}</style>"
                + "</head><body>\n<h1>" + Canvas.Svg.escape(t.object()) + ", " + t.protocol() + ": adapter levels</h1>\n"
                + "<img id=\"chart\" src=\"ablation.svg\" alt=\"AUC per level set\">\n"
                + "<table id=\"ablation-table\"><tr><th>levels</th><th>branches</th><th>image AUC %</th><th>pixel AUC %</th>"
                + "</tr>\n" + rows + "</table>\n</body></html>\n";
    }

    /** The pass-on options split between the train and the test command by what each declares. */
    record Split(List<String> train, List<String> test, Map<String, String> values) {
        String value(String option) {
            return values.get(option);
        }

        static Split of(List<String> args, CommandSpec trainSpec, CommandSpec testSpec, CommandLine ablate) {
            List<String> train = new ArrayList<>();
            List<String> test = new ArrayList<>();
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("-")) {
                    throw new ParameterException(ablate, "unexpected argument '" + a + "'");
                }
                int eq = a.indexOf('=');
                String name = eq > 0 ? a.substring(0, eq) : a;
                if (List.of("--save-path", "--save_path", "--adapters", "--json").contains(name)) {
                    throw new ParameterException(ablate, name + " is set by ablate for each level set; use --out");
                }
                OptionSpec tr = trainSpec.findOption(name);
                OptionSpec te = testSpec.findOption(name);
                OptionSpec any = tr != null ? tr : te;
                if (any == null) {
                    throw new ParameterException(ablate, "unknown option '" + name + "' (neither "
                            + trainSpec.name() + " nor " + testSpec.name() + " takes it)");
                }
                List<String> tokens = new ArrayList<>(List.of(a));
                String value = eq > 0 ? a.substring(eq + 1) : null;
                if (eq < 0 && any.arity().max() > 0) {
                    if (i + 1 >= args.size()) {
                        throw new ParameterException(ablate, name + " needs a value");
                    }
                    value = args.get(++i);
                    tokens.add(value);
                }
                String canonical = any.longestName();
                values.put(canonical, value);
                for (String alias : any.names()) {
                    values.put(alias, value);
                }
                if (any.names().length > 0 && List.of(any.names()).contains("--features")) {
                    continue; // the levels of "all"; each run gets its own --features
                }
                if (tr != null) {
                    train.addAll(tokens);
                }
                if (te != null) {
                    test.addAll(tokens);
                }
            }
            return new Split(train, test, values);
        }
    }
}
