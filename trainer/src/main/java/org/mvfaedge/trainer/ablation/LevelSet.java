package org.mvfaedge.trainer.ablation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The adapter levels of one ablation run (the transformer layers followed by adapters), as the paper's
 * Table 5 compares them: one level alone (S1..S4 in the paper) or several together.
 */
public record LevelSet(List<Integer> levels) {
    public LevelSet {
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("a level set needs at least one level");
        }
        levels = List.copyOf(levels);
    }

    /** Folder-safe name: {@code 6} or {@code 6-12-18-24}. */
    public String name() {
        return levels.stream().map(String::valueOf).collect(Collectors.joining("-"));
    }

    /** As the command line writes it: {@code 6} or {@code 6,12,18,24}. */
    public String label() {
        return levels.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public int[] toArray() {
        return levels.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Each level of {@code all} alone, then all of them together (the paper's comparison). */
    public static List<LevelSet> defaults(int[] all) {
        int[] sorted = Arrays.stream(all).distinct().sorted().toArray();
        List<LevelSet> out = new ArrayList<>();
        for (int l : sorted) {
            out.add(new LevelSet(List.of(l)));
        }
        if (sorted.length > 1) {
            out.add(new LevelSet(Arrays.stream(sorted).boxed().toList()));
        }
        return out;
    }

    /**
     * Parses {@code "6;12;18;24;6,12,18,24"}: sets separated by ';', levels by ','. Levels are 1-based layers,
     * sorted within a set (adapters follow layers in order); a set named twice is an error.
     */
    public static List<LevelSet> parseAll(String spec) {
        List<LevelSet> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : spec.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            TreeSet<Integer> levels = new TreeSet<>();
            for (String t : part.split(",")) {
                int l;
                try {
                    l = Integer.parseInt(t.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--level-sets: '" + t.strip() + "' is not a layer number (write sets"
                            + " like \"6;12;6,12,18,24\")");
                }
                if (l < 1) {
                    throw new IllegalArgumentException("--level-sets: layers are 1-based, got " + l);
                }
                levels.add(l);
            }
            LevelSet set = new LevelSet(new ArrayList<>(levels));
            if (!seen.add(set.name())) {
                throw new IllegalArgumentException("--level-sets names the set " + set.label() + " twice");
            }
            out.add(set);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--level-sets names no set (write sets like \"6;12;6,12,18,24\")");
        }
        return out;
    }
}
