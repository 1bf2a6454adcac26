package org.mvfaedge.server.model;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.pkg.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened package, reference counted: the registry holds one reference while the model is current,
 * each request one while it runs. A reload retires the old model by dropping the registry's reference;
 * the detector is closed when the last request on it finishes, so no request in flight loses its session.
 */
public final class LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    private final String id;
    private final Path path;
    private final AnomalyDetector detector;
    private final Instant loadedAt = Instant.now();
    /** Registry reference + requests running; 0 means closed (it never rises again). */
    private final AtomicInteger refs = new AtomicInteger(1);

    LoadedModel(String id, Path path, AnomalyDetector detector) {
        this.id = id;
        this.path = path;
        this.detector = detector;
    }

    public String id() {
        return id;
    }

    public Path path() {
        return path;
    }

    public AnomalyDetector detector() {
        return detector;
    }

    public Manifest manifest() {
        return detector.manifest();
    }

    /** Short content version: the first 12 hex digits of model.onnx's sha256 (changes with every new export). */
    public String version() {
        String sha = detector.manifest().model().sha256();
        return sha == null ? "unknown" : sha.substring(0, Math.min(12, sha.length()));
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** Takes a reference for a request; false if the model was already retired and drained. */
    boolean retain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the detector. */
    void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            LOG.info("model {} version {}: detector closed (retired, no request left on it)", id, version());
            try {
                detector.close();
            } catch (RuntimeException e) {
                LOG.warn("model {}: closing the detector failed: {}", id, e.toString());
            }
        } else if (left < 0) {
            throw new IllegalStateException("model " + id + ": released more often than retained");
        }
    }

    /** True once the detector is closed. */
    public boolean closed() {
        return refs.get() == 0;
    }
}
