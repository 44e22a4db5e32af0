package scm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import scm.ref.data.Digits;
import scm.ref.editing.Mask;

/**
 * The --mask of {@code scm edit inpaint} for 8x8 digits, in the paper's convention (1 = generate, 0 = keep):
 * a preset (left, right, top, bottom, center: the named 8x4 / 4x8 half or the central 4x4 block is generated),
 * a string of 64 characters 0/1 (row-major; spaces, commas and newlines ignored), or the path of a file
 * holding such a string. Any other size fails with "mask has the wrong size".
 */
final class MaskSpec {
    private MaskSpec() {}

    static Mask parse(String spec) throws IOException {
        int s = Digits.SIDE;
        boolean[] g = new boolean[s * s];
        switch (spec) {
            case "left", "right", "top", "bottom", "center" -> {
                for (int i = 0; i < s; i++)
                    for (int j = 0; j < s; j++)
                        g[i * s + j] = switch (spec) {
                            case "left" -> j < s / 2;
                            case "right" -> j >= s / 2;
                            case "top" -> i < s / 2;
                            case "bottom" -> i >= s / 2;
                            default -> i >= 2 && i < 6 && j >= 2 && j < 6;
                        };
                return new Mask(g);
            }
            default -> { }
        }
        String text = spec;
        if (!spec.matches("[01,\\s]+")) {
            Path p = Path.of(spec);
            if (!Files.isRegularFile(p))
                throw new IllegalArgumentException("--mask '" + spec + "' is neither a preset (left, right, top, bottom, center), a 0/1 string nor a file");
            text = Files.readString(p);
        }
        String bits = text.replaceAll("[,\\s]", "");
        if (!bits.matches("[01]*")) throw new IllegalArgumentException("--mask may hold only 0 and 1 (1 = generate), got '" + bits + "'");
        boolean[] m = new boolean[bits.length()];
        for (int k = 0; k < m.length; k++) m[k] = bits.charAt(k) == '1';
        if (m.length == 0) throw new IllegalArgumentException("--mask is empty");
        return new Mask(m).requireDim(Digits.PIXELS);
    }
}
