package scm.ref.metrics;

import scm.ref.tensor.Batch;

/**
 * Maps a batch of images (rows flattened C, H, W) to a batch of feature vectors for FD and KID. The identity
 * (raw pixels) needs no weights; a trained classifier's penultimate layer plugs in through the same interface.
 * Implementations must be deterministic and map n rows to n rows.
 */
@FunctionalInterface
public interface FeatureExtractor {

    Batch features(Batch images);

    /** Raw pixels as features (no copy: the metrics do not modify their inputs). */
    static FeatureExtractor identity() { return images -> images; }
}
