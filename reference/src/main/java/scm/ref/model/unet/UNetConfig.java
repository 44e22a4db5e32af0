package scm.ref.model.unet;

import java.util.List;

import scm.ref.tensor.Check;

/**
 * Hyper-parameters of {@link UNet}.
 *
 * @param channels        image channels (1 for MNIST-like data)
 * @param resolution      image side R (square images R x R), divisible by 2^(levels-1)
 * @param baseChannels    channels after the input convolution
 * @param channelMult     per resolution level, the channel count as a multiple of baseChannels
 * @param blocksPerLevel  residual blocks per level on the way down (one more on the way up)
 * @param groups          GroupNorm groups; must divide every channel count
 * @param embDim          width of the time embedding (positional features and the embedding MLP)
 * @param heads           attention heads in the lowest-resolution attention block
 * @param flashBlockSize  0: the attention uses the direct JVP; otherwise the flash JVP with this key block size
 * @param seed            base seed of the per-parameter initialization
 * @param dropout         dropout probability in [0, 1) between the two convolutions of every residual block
 *                        (DDPM++/EDM placement; the sCM CIFAR-10 teacher uses 0.13); active only in training mode
 */
public record UNetConfig(int channels, int resolution, int baseChannels, List<Integer> channelMult, int blocksPerLevel,
                         int groups, int embDim, int heads, int flashBlockSize, long seed, double dropout) {

    /** Without dropout. */
    public UNetConfig(int channels, int resolution, int baseChannels, List<Integer> channelMult, int blocksPerLevel,
                      int groups, int embDim, int heads, int flashBlockSize, long seed) {
        this(channels, resolution, baseChannels, channelMult, blocksPerLevel, groups, embDim, heads, flashBlockSize, seed, 0);
    }

    public UNetConfig {
        Check.positive(channels, "image channels");
        Check.positive(resolution, "image resolution");
        Check.positive(baseChannels, "base channels");
        if (channelMult == null || channelMult.isEmpty()) throw new IllegalArgumentException("channel multipliers are empty");
        channelMult = List.copyOf(channelMult);
        for (int m : channelMult) Check.positive(m, "channel multiplier");
        Check.positive(blocksPerLevel, "blocks per level");
        Check.positive(groups, "GroupNorm groups");
        Check.positive(embDim, "embedding width");
        if (embDim % 2 != 0) throw new IllegalArgumentException("embedding width must be even (sin and cos halves), got " + embDim);
        Check.positive(heads, "attention heads");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("U-Net dropout must be in [0, 1), got " + dropout);
        if (flashBlockSize < 0) throw new IllegalArgumentException("flash block size must be >= 0, got " + flashBlockSize);
        int down = 1 << (channelMult.size() - 1);
        if (resolution % down != 0)
            throw new IllegalArgumentException("resolution " + resolution + " is not divisible by 2^(levels-1) = " + down);
        for (int m : channelMult)
            if (baseChannels * m % groups != 0)
                throw new IllegalArgumentException("channel count " + baseChannels * m + " is not divisible by " + groups + " groups");
        if (baseChannels % groups != 0)
            throw new IllegalArgumentException("base channel count " + baseChannels + " is not divisible by " + groups + " groups");
        int lowest = baseChannels * channelMult.get(channelMult.size() - 1);
        if (lowest % heads != 0)
            throw new IllegalArgumentException("lowest-level channel count " + lowest + " is not divisible by " + heads + " heads");
    }

    /** A tiny U-Net for 8x8 single-channel images (tests). */
    public static UNetConfig tiny8(long seed) { return new UNetConfig(1, 8, 4, List.of(1, 2), 1, 2, 8, 2, 0, seed); }

    /** A small U-Net for 28x28 single-channel images (MNIST): levels 28, 14, 7. */
    public static UNetConfig mnist28(long seed) { return new UNetConfig(1, 28, 16, List.of(1, 2, 2), 1, 4, 32, 2, 0, seed); }

    /** This configuration with dropout probability {@code p}. */
    public UNetConfig withDropout(double p) {
        return new UNetConfig(channels, resolution, baseChannels, channelMult, blocksPerLevel, groups, embDim, heads, flashBlockSize, seed, p);
    }

    public int levels() { return channelMult.size(); }

    public int dim() { return channels * resolution * resolution; }
}
