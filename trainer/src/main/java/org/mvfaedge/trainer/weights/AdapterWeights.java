package org.mvfaedge.trainer.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MVFA's residual adapters: one segmentation and one detection branch, each a list of levels
 * ({@code <k>.fc1.0.weight} [bottleneck, width], {@code <k>.fc2.0.weight} [width, bottleneck], no
 * biases, as {@code nn.Sequential(nn.Linear(..., bias=False), nn.LeakyReLU())}). Names inside each
 * branch are the reference's state-dict names. The constructor checks that both branches have the
 * same levels and consistent shapes, so the accessors never meet a half-formed checkpoint.
 */
public record AdapterWeights(StateDict seg, StateDict det) {
    /** Branch names, as in the checkpoint's keys {@code seg_adapters} / {@code det_adapters}. */
    public static final String SEG = "seg";
    public static final String DET = "det";

    private static final Pattern KEY = Pattern.compile("(\\d+)\\.(fc1|fc2)\\.0\\.weight");

    public AdapterWeights {
        int segLevels = checkBranch(SEG, seg);
        int detLevels = checkBranch(DET, det);
        if (segLevels != detLevels) {
            throw new CheckpointException(seg.source(), "seg adapters have " + segLevels + " levels but det adapters have "
                    + detLevels);
        }
        long[] expectFc1 = seg.require("0.fc1.0.weight").shape();
        for (String branch : List.of(SEG, DET)) {
            StateDict sd = branch.equals(SEG) ? seg : det;
            for (int k = 0; k < segLevels; k++) {
                long[] fc1 = sd.require(k + ".fc1.0.weight").shape();
                long[] fc2 = sd.require(k + ".fc2.0.weight").shape();
                long[] expectFc2 = {expectFc1[1], expectFc1[0]};
                if (!Arrays.equals(fc1, expectFc1) || !Arrays.equals(fc2, expectFc2)) {
                    throw new CheckpointException(sd.source(), branch + " level " + k + " has fc1 " + Arrays.toString(fc1)
                            + " and fc2 " + Arrays.toString(fc2) + ", but level 0 of seg has fc1 "
                            + Arrays.toString(expectFc1) + " (every level must be [bottleneck,width] / [width,bottleneck])");
                }
            }
        }
    }

    /** Validates one branch's names and returns its level count. */
    private static int checkBranch(String branch, StateDict sd) {
        TreeSet<Integer> levels = new TreeSet<>();
        for (String name : sd.names()) {
            Matcher m = KEY.matcher(name);
            if (!m.matches()) {
                throw new CheckpointException(sd.source(), "unexpected tensor '" + branch + "_adapters." + name
                        + "': MVFA adapters hold only <level>.fc1.0.weight and <level>.fc2.0.weight (no biases)");
            }
            levels.add(Integer.parseInt(m.group(1)));
        }
        if (levels.isEmpty()) {
            throw new CheckpointException(sd.source(), "the " + branch + " adapters hold no tensors");
        }
        for (int k = 0; k < levels.size(); k++) {
            if (!levels.contains(k)) {
                throw new CheckpointException(sd.source(), branch + " adapter levels are " + levels
                        + ": expected 0.." + (levels.size() - 1) + " without gaps");
            }
            for (String fc : List.of("fc1", "fc2")) {
                if (!sd.contains(k + "." + fc + ".0.weight")) {
                    throw new CheckpointException(sd.source(), "missing tensor '" + branch + "_adapters." + k + "." + fc
                            + ".0.weight'");
                }
            }
        }
        return levels.size();
    }

    /** Number of adapter levels (one per tapped transformer layer). */
    public int levels() {
        return (int) seg.names().stream().filter(n -> n.endsWith(".fc1.0.weight")).count();
    }

    /** Width of the transformer the adapters sit in (fc1's input size). */
    public int width() {
        return (int) seg.require("0.fc1.0.weight").dim(1);
    }

    /** Bottleneck size (fc1's output size; MVFA uses the CLIP embed dim, to compare with text features). */
    public int bottleneck() {
        return (int) seg.require("0.fc1.0.weight").dim(0);
    }

    /** The branch, by name {@code "seg"} or {@code "det"}. */
    public StateDict branch(String name) {
        return switch (name) {
            case SEG -> seg;
            case DET -> det;
            default -> throw new IllegalArgumentException("adapter branch is 'seg' or 'det', not '" + name + "'");
        };
    }

    /** fc1 weight [bottleneck, width] of a branch's level (0-based). */
    public HostTensor fc1(String branch, int level) {
        return branch(branch).require(level + ".fc1.0.weight");
    }

    /** fc2 weight [width, bottleneck] of a branch's level (0-based). */
    public HostTensor fc2(String branch, int level) {
        return branch(branch).require(level + ".fc2.0.weight");
    }

    /** All tensors under their checkpoint names ({@code seg_adapters.0.fc1.0.weight}, ...), seg first. */
    public Map<String, HostTensor> toTensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String branch : List.of(SEG, DET)) {
            for (int k = 0; k < levels(); k++) {
                out.put(branch + "_adapters." + k + ".fc1.0.weight", fc1(branch, k));
                out.put(branch + "_adapters." + k + ".fc2.0.weight", fc2(branch, k));
            }
        }
        return out;
    }

    /** Refuses adapters that do not fit a model with this many levels, width and bottleneck. */
    public void validateFor(int levels, int width, int bottleneck) {
        validate(levels, width, bottleneck, "");
    }

    /**
     * As {@link #validateFor(int, int, int)}, for a model tapped after the given 1-based layers
     * (MVFA's {@code --features}), which the message quotes.
     */
    public void validateFor(int[] features, int width, int bottleneck) {
        String list = Arrays.stream(features).mapToObj(Integer::toString).collect(Collectors.joining(","));
        validate(features.length, width, bottleneck, " (--features " + list + ")");
    }

    private void validate(int levels, int width, int bottleneck, String featuresNote) {
        Path file = seg.source();
        if (levels() != levels) {
            throw new CheckpointException(file, "adapters have " + levels() + " levels, the model uses " + levels
                    + featuresNote);
        }
        List<String> problems = new ArrayList<>();
        for (String branch : List.of(SEG, DET)) {
            for (int k = 0; k < levels; k++) {
                long[] fc1 = fc1(branch, k).shape();
                long[] fc2 = fc2(branch, k).shape();
                if (!Arrays.equals(fc1, new long[] {bottleneck, width})) {
                    problems.add(branch + " level " + k + " fc1 is " + dims(fc1) + " but the model needs ["
                            + bottleneck + "," + width + "]");
                }
                if (!Arrays.equals(fc2, new long[] {width, bottleneck})) {
                    problems.add(branch + " level " + k + " fc2 is " + dims(fc2) + " but the model needs ["
                            + width + "," + bottleneck + "]");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, "adapters do not fit the model: " + problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")
                    + "; were they trained for another CLIP?");
        }
    }

    private static String dims(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
