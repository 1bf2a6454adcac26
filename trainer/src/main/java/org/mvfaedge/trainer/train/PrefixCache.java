package org.mvfaedge.trainer.train;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Frozen-prefix outputs kept on the Java heap across epochs. The layers before the first adapter
 * level see only frozen weights, and the training images (the augmented shots) and evaluation images
 * are the same every epoch, so their prefix outputs ({@code (1 + G^2) x width} floats per image) are
 * computed once. A cached value is the very array the uncached path computes, so training is
 * bit-identical with and without the cache.
 *
 * <p>Bounded by {@code capBytes}: once full, further entries are computed on every use and not
 * stored (with a cyclic access pattern, evicting would make every access a miss). A cap of 0
 * disables caching. Not thread-safe.
 */
public final class PrefixCache {
    /** Default cap: 1 GiB, or a quarter of the maximum heap if that is smaller. */
    public static final long DEFAULT_CAP_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    private final long capBytes;
    private final Map<String, float[]> entries = new HashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    public PrefixCache(long capBytes) {
        if (capBytes < 0) {
            throw new IllegalArgumentException("cache cap must be >= 0 bytes, got " + capBytes);
        }
        this.capBytes = capBytes;
    }

    /** A cache that stores nothing. */
    public static PrefixCache disabled() {
        return new PrefixCache(0);
    }

    /** The cached value of {@code key}, or {@code compute}'s result (stored while under the cap). */
    public float[] get(String key, Supplier<float[]> compute) {
        float[] v = entries.get(key);
        if (v != null) {
            hits++;
            return v;
        }
        misses++;
        v = compute.get();
        long size = 4L * v.length + 64;
        if (bytes + size <= capBytes) {
            entries.put(key, v);
            bytes += size;
        }
        return v;
    }

    public long capBytes() {
        return capBytes;
    }

    public long bytes() {
        return bytes;
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public void clear() {
        entries.clear();
        bytes = 0;
    }
}
