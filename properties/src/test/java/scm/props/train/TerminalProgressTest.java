package scm.props.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;
import scm.ref.train.TerminalProgress;

/** Issue 14.11: the progress bar ran the speed into the loss ("3.0 it/sloss -1.4328"). */
class TerminalProgressTest {

    @Test
    void speedAndLossAreSeparated() throws Exception {
        List<String> lines = new ArrayList<>();
        TerminalProgress p = new TerminalProgress("train", () -> new DelegatingProgressBarConsumer(lines::add, 120));
        p.start(0, 10);
        for (int s = 0; s < 10; s++) {
            Thread.sleep(5);
            p.step(s, -1.4328, Map.of());
        }
        p.close();
        String last = lines.getLast();
        assertTrue(last.contains("it/s loss -1.4328"), last);
        assertTrue(!last.contains("it/sloss"), last);
    }
}
