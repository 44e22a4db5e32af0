package scm.ref.data;

import scm.ref.tensor.Batch;

/** A batch of samples with one integer class label per sample (row). */
public record LabeledBatch(Batch x, int[] labels) {

    public LabeledBatch {
        if (x == null) throw new IllegalArgumentException("labeled batch: samples are null");
        if (labels == null) throw new IllegalArgumentException("labeled batch: labels are null");
        if (labels.length != x.n())
            throw new IllegalArgumentException("shape mismatch: " + labels.length + " labels for " + x.n() + " samples");
        labels = labels.clone();
    }

    @Override public int[] labels() { return labels.clone(); }

    public int label(int i) { return labels[i]; }

    /** How many samples carry each label 0 .. classes-1; a label outside that range throws. */
    public int[] counts(int classes) {
        int[] c = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes)
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside 0.." + (classes - 1));
            c[labels[i]]++;
        }
        return c;
    }
}
