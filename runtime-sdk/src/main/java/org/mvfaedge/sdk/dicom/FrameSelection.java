package org.mvfaedge.sdk.dicom;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Which frames of a multi-frame DICOM to score: all, or a list such as {@code 1,5-9} (frames from 1). */
public record FrameSelection(List<int[]> ranges) {
    public static final FrameSelection ALL = new FrameSelection(null);

    /** Parses {@code 1,5-9}; {@code all} or blank is every frame. */
    public static FrameSelection parse(String text) {
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("all")) {
            return ALL;
        }
        List<int[]> r = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int a = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int b = dash < 0 ? a : Integer.parseInt(p.substring(dash + 1).trim());
                if (a < 1 || b < a) {
                    throw new NumberFormatException();
                }
                r.add(new int[] {a, b});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("frames '" + text + "': '" + p
                        + "' is not a frame number or range from 1 (e.g. 1,5-9)");
            }
        }
        return new FrameSelection(List.copyOf(r));
    }

    /** The selected frames of an image of {@code count} frames, ascending; a frame past the end is an error. */
    public int[] resolve(int count) {
        if (ranges == null) {
            int[] all = new int[count];
            for (int i = 0; i < count; i++) {
                all[i] = i + 1;
            }
            return all;
        }
        TreeSet<Integer> s = new TreeSet<>();
        for (int[] r : ranges) {
            if (r[1] > count) {
                throw new IllegalArgumentException("frame " + r[1] + " was asked for but the image has " + count
                        + " frame(s)");
            }
            for (int f = r[0]; f <= r[1]; f++) {
                s.add(f);
            }
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        if (ranges == null) {
            return "all";
        }
        StringBuilder sb = new StringBuilder();
        for (int[] r : ranges) {
            sb.append(sb.length() == 0 ? "" : ",").append(r[0]).append(r[0] == r[1] ? "" : "-" + r[1]);
        }
        return sb.toString();
    }
}
