package scm.ref.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import scm.ref.io.AtomicFile;

/** Writes a {@link BufferedImage} as a PNG file, atomically. */
public final class Png {
    private Png() {}

    public static void write(Path file, BufferedImage image) throws IOException {
        if (file == null || image == null) throw new IllegalArgumentException("PNG file or image is null");
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available in javax.imageio");
        });
    }
}
