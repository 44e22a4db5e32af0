package scm.accel.tornado;

import uk.ac.manchester.tornado.api.KernelContext;

/**
 * The U-Net's 2-D convolutions on the device arena as tiled implicit matrix products (the im2col matrix is never
 * stored: each tile of it is gathered straight into local memory, padding read as zeros). Why: as direct loops (one
 * work item per output, {@link ArenaKernels#conv2d}) the convolutions took 24 of the 42 ms of kernels in the 28x28
 * U-Net's sCT step on the H200 (docs/gpu.md), every product reading both operands from global memory.
 *
 * <p>{@link #conv2dTiled} is the forward correlation and the input gradient (the same product with the shift reversed
 * and the weight transposed): out[s, o, i, j] = bias[o] + Σ_{κ<K} W[o, κ] · G[s, κ, i, j] with κ = (channel c, tap u, v)
 * in that order, K = channels·k², G the gathered input shifted by ±(u − p, v − p). Each output adds its K products one
 * by one in κ order starting from the bias, as the direct kernels do ({@code ConvKernels.conv2dPoint},
 * {@code conv2dInputGradPoint}); a tap in the padding adds W·0 instead of being skipped, which leaves the sum unchanged.
 * Tile: {@link #TP} pixels × {@link #TC} output channels per work-group of {@link ArenaKernels#RG} items, K staged
 * {@link #TK} at a time; item (tp, tc) owns pixels tp + 16r (r &lt; 4) and channels tc, tc + 8.
 *
 * <p>{@link #conv2dParamGradPartials} + {@link #conv2dParamGradReduce} are the weight and bias gradients as one product
 * split over the pixels: dW[o, κ] = Σ_{s,i,j} dy[s, o, i, j] · x[s, c, i + u − p, j + v − p] and dB[o] = Σ dy[s, o, i, j]
 * (column κ = K of the product, x taken as 1), K = n·h·w pixels being far longer than the cout × (cin·k² + 1)
 * outputs are many. Each work-group sums its tile over one fixed range of pixels (a chunk) into a scratch array, then one
 * work item per entry adds the chunks in chunk order: a fixed order whatever the device's scheduling, so a step gives
 * the same bits every time (a resumed run stays bit-identical). The order differs from the JVM's in-order sums; the
 * tolerance of {@code ArenaConvTest} (a float64 error bound valid for any order) covers it.
 *
 * <p>Local arrays stay in the kernel that allocates them and the tile loops are written out (ArenaKernels: PTX
 * miscompiles local arrays passed to helpers). All scalar arguments are compiled into each task as constants (the
 * arena's KernelContext rule), so the divisions by h, w, k and k² are divisions by constants.
 */
public final class ArenaConvKernels {
    private ArenaConvKernels() {}

    /** Pixels and output channels of a {@link #conv2dTiled} tile, and the K stage (also of the gradient product). */
    public static final int TP = 64, TC = 16, TK = 32;
    /** Output channels × columns of a {@link #conv2dParamGradPartials} tile (its K stage is {@link #TK} pixels). */
    public static final int TO = 16, TQ = 64;
    /** Padded row lengths of the gradient product's local tiles (odd: the transposed stores hit distinct banks). */
    static final int XQ = TQ + 1, DQ = TO + 1;

    /** Work-groups of a {@link #conv2dTiled} launch. */
    public static int tiledGroups(int pixels, int cOut) { return ((pixels + TP - 1) / TP) * ((cOut + TC - 1) / TC); }

    /**
     * out[s, o, ·] for o &lt; cOut over {@code pixels} = n·h·w positions (see the class comment). {@code g} is the gathered
     * tensor [n, cg, h, w] (the input x for the forward, dy for the input gradient); the weight of (o, κ = (c, tap)) is
     * {@code w[(o·s1 + c·s2)·k² + tap]} (forward: s1 = cin, s2 = 1; input gradient: s1 = 1, s2 = cin); the tap (u, v)
     * reads G at (i + sign·(u − p), j + sign·(v − p)) (forward +1, input gradient −1). Bias read when hasBias == 1.
     * Launch: {@code perInput} = {@link #tiledGroups} work-groups of {@link ArenaKernels#RG} items, group =
     * pixelTile·channelTiles + channelTile, computing y1 from g1; or 2·perInput groups, the second half computing y2 from g2
     * with the same weights and no bias (a convolution and its tangent: one task).
     */
    public static void conv2dTiled(KernelContext kc, float[] a, int g1O, int g2O, int wO, int bO, int y1O, int y2O, int perInput, int pixels, int cg, int h, int wd,
                                   int cOut, int k, int s1, int s2, int sign, int hasBias) {
        float[] xs = kc.allocateFloatLocalArray(TK * TP);
        float[] ws = kc.allocateFloatLocalArray(TK * TC);
        int t = kc.localIdx;
        int nct = (cOut + TC - 1) / TC;
        // a launch of 2·perInput groups is a JVP's pair (conv2dDual): the second half convolves g2 into y2, without bias
        // (not named "half": the OpenCL backend emits parameter names as they are, and half is an OpenCL C type)
        int which = kc.groupIdx / perInput;
        int grp = kc.groupIdx - which * perInput;
        int gO = which == 0 ? g1O : g2O, yO = which == 0 ? y1O : y2O;
        if (which == 1) hasBias = 0;
        int pBase = (grp / nct) * TP, cBase = (grp % nct) * TC;
        int plane = h * wd, kk = k * k, kTot = cg * kk, p = (k - 1) / 2;
        // the pixel this item gathers (the same one in every stage) and where its sample starts in g
        int lm = t % TP, lrow = t / TP;
        int gp = pBase + lm;
        int ls = 0, li = 0, lj = 0;
        if (gp < pixels) {
            ls = gp / plane;
            int rem = gp - ls * plane;
            li = rem / wd;
            lj = rem - li * wd;
        }
        int sampleBase = gO + ls * cg * plane;
        // the weight column this item stages
        int wc = t % TC, wrow = t / TC;
        int oc = cBase + wc;
        // the outputs this item owns
        int tp = t % 16, tc = t / 16;
        float b0 = 0f, b1 = 0f;
        if (hasBias == 1) {
            if (cBase + tc < cOut) b0 = a[bO + cBase + tc];
            if (cBase + tc + 8 < cOut) b1 = a[bO + cBase + tc + 8];
        }
        float c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        for (int kt = 0; kt < kTot; kt += TK) {
            for (int q = 0; q < TK * TP / ArenaKernels.RG; q++) {
                int kr = lrow + q * (ArenaKernels.RG / TP);
                int kidx = kt + kr;
                float v = 0f;
                if (gp < pixels && kidx < kTot) {
                    int c = kidx / kk;
                    int tap = kidx - c * kk;
                    int u = tap / k;
                    int yy = li + sign * (u - p), xx = lj + sign * (tap - u * k - p);
                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) v = a[sampleBase + (c * h + yy) * wd + xx];
                }
                xs[kr * TP + lm] = v;
            }
            for (int q = 0; q < TK * TC / ArenaKernels.RG; q++) {
                int kr = wrow + q * (ArenaKernels.RG / TC);
                int kidx = kt + kr;
                float v = 0f;
                if (oc < cOut && kidx < kTot) {
                    int c = kidx / kk;
                    v = a[wO + (oc * s1 + c * s2) * kk + kidx - c * kk];
                }
                ws[kr * TC + wc] = v;
            }
            kc.localBarrier();
            for (int kr = 0; kr < TK; kr++) {
                int xb = kr * TP + tp, wb = kr * TC + tc;
                float x0 = xs[xb], x1 = xs[xb + 16], x2 = xs[xb + 32], x3 = xs[xb + 48];
                float w0 = ws[wb], w1 = ws[wb + 8];
                c00 += w0 * x0; c01 += w1 * x0;
                c10 += w0 * x1; c11 += w1 * x1;
                c20 += w0 * x2; c21 += w1 * x2;
                c30 += w0 * x3; c31 += w1 * x3;
            }
            kc.localBarrier();
        }
        int o0 = cBase + tc, o1 = o0 + 8;
        for (int r = 0; r < 4; r++) {
            int q = pBase + tp + 16 * r;
            if (q < pixels) {
                int s = q / plane;
                int rem = q - s * plane;
                float v0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
                float v1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
                if (o0 < cOut) a[yO + (s * cOut + o0) * plane + rem] = v0;
                if (o1 < cOut) a[yO + (s * cOut + o1) * plane + rem] = v1;
            }
        }
    }

    /** Pixels per chunk of the gradient product for these sizes: about 1,024 work-groups in all, at least 256 pixels each, a multiple of TK. */
    public static int chunkLength(int pixels, int cout, int cin, int k) {
        int tiles = ((cout + TO - 1) / TO) * ((cin * k * k + 1 + TQ - 1) / TQ);
        int chunks = Math.max(1, Math.min((1024 + tiles - 1) / tiles, (pixels + 255) / 256));
        int len = (pixels + chunks - 1) / chunks;
        return (len + TK - 1) / TK * TK;
    }

    /** Chunks of {@link #chunkLength} pixels covering {@code pixels}. */
    public static int chunks(int pixels, int cout, int cin, int k) {
        int len = chunkLength(pixels, cout, cin, k);
        return (pixels + len - 1) / len;
    }

    /** Work-groups of a {@link #conv2dParamGradPartials} launch. */
    public static int partialGroups(int pixels, int cout, int cin, int k) {
        return chunks(pixels, cout, cin, k) * ((cout + TO - 1) / TO) * ((cin * k * k + 1 + TQ - 1) / TQ);
    }

    /**
     * part[(chunk·cout + o)·cols + κ] = Σ over the chunk's pixels of dy[s, o, i, j] · X[κ] with cols = cin·k² + 1,
     * X[κ &lt; cin·k²] = x[s, c, i + u − p, j + v − p] (0 in the padding) and X[cin·k²] = 1 (the bias column).
     * Launch: {@link #partialGroups} work-groups of {@link ArenaKernels#RG} items, group = (chunk·rowTiles + rowTile)·colTiles + colTile;
     * item (tq, tr) owns columns tq + 16r (r &lt; 4) and channels tr, tr + 8 of its tile.
     */
    public static void conv2dParamGradPartials(KernelContext kc, float[] a, int dyO, int xO, int partO, int pixels, int cin, int h, int wd, int cout, int k,
                                               int chunkLen) {
        float[] xs = kc.allocateFloatLocalArray(TK * XQ);
        float[] ds = kc.allocateFloatLocalArray(TK * DQ);
        int t = kc.localIdx;
        int plane = h * wd, kk = k * k, cols = cin * kk + 1, p = (k - 1) / 2;
        int nqt = (cols + TQ - 1) / TQ, nrt = (cout + TO - 1) / TO;
        int grp = kc.groupIdx;
        int colBase = (grp % nqt) * TQ;
        int rest = grp / nqt;
        int rowBase = (rest % nrt) * TO;
        int chunk = rest / nrt;
        int pFrom = chunk * chunkLen;
        int pTo = pFrom + chunkLen;
        if (pTo > pixels) pTo = pixels;
        // staging: this item's pixel (the same offset in every stage) and its columns / channels
        int lm = t % TK, lq = t / TK;
        int tq = t % 16, tr = t / 16;
        float c00 = 0f, c01 = 0f, c10 = 0f, c11 = 0f, c20 = 0f, c21 = 0f, c30 = 0f, c31 = 0f;
        for (int p0 = pFrom; p0 < pTo; p0 += TK) {
            int gp = p0 + lm;
            int s = 0, rem = 0, i = 0, j = 0;
            if (gp < pTo) {
                s = gp / plane;
                rem = gp - s * plane;
                i = rem / wd;
                j = rem - i * wd;
            }
            for (int q = 0; q < TK * TQ / ArenaKernels.RG; q++) {
                int col = lq + q * (ArenaKernels.RG / TK);
                int kidx = colBase + col;
                float v = 0f;
                if (gp < pTo && kidx < cols) {
                    if (kidx == cols - 1) {
                        v = 1f;
                    } else {
                        int c = kidx / kk;
                        int tap = kidx - c * kk;
                        int u = tap / k;
                        int yy = i + u - p, xx = j + tap - u * k - p;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < wd) v = a[xO + ((s * cin + c) * h + yy) * wd + xx];
                    }
                }
                xs[lm * XQ + col] = v;
            }
            for (int q = 0; q < TK * TO / ArenaKernels.RG; q++) {
                int row = lq + q * (ArenaKernels.RG / TK);
                int o = rowBase + row;
                float v = 0f;
                if (gp < pTo && o < cout) v = a[dyO + (s * cout + o) * plane + rem];
                ds[lm * DQ + row] = v;
            }
            kc.localBarrier();
            for (int kr = 0; kr < TK; kr++) {
                int xb = kr * XQ + tq, db = kr * DQ + tr;
                float x0 = xs[xb], x1 = xs[xb + 16], x2 = xs[xb + 32], x3 = xs[xb + 48];
                float d0 = ds[db], d1 = ds[db + 8];
                c00 += d0 * x0; c01 += d1 * x0;
                c10 += d0 * x1; c11 += d1 * x1;
                c20 += d0 * x2; c21 += d1 * x2;
                c30 += d0 * x3; c31 += d1 * x3;
            }
            kc.localBarrier();
        }
        int o0 = rowBase + tr, o1 = o0 + 8;
        for (int r = 0; r < 4; r++) {
            int col = colBase + tq + 16 * r;
            if (col < cols) {
                float v0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
                float v1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
                if (o0 < cout) a[partO + (chunk * cout + o0) * cols + col] = v0;
                if (o1 < cout) a[partO + (chunk * cout + o1) * cols + col] = v1;
            }
        }
    }

    /**
     * dW[o, κ] += Σ_chunk part[chunk, o, κ] for κ &lt; cin·k², dB[o] += Σ_chunk part[chunk, o, cin·k²], chunks added in
     * order: one work item per entry of the cout × (cin·k² + 1) product ({@code total}).
     */
    public static void conv2dParamGradReduce(KernelContext kc, float[] a, int partO, int dwO, int dbO, int cout, int cols, int chunks, int total) {
        int e = kc.globalIdx;
        if (e < total) reduceEntry(a, partO, dwO, dbO, cols, chunks, total, e);
    }

    /** Entry e of {@link #conv2dParamGradReduce} (also run by ArenaMultiKernels#convReduceMulti for merged reductions). */
    static void reduceEntry(float[] a, int partO, int dwO, int dbO, int cols, int chunks, int total, int e) {
        float acc = 0f;
        for (int ch = 0; ch < chunks; ch++) acc += a[partO + ch * total + e];
        int o = e / cols;
        int col = e - o * cols;
        if (col < cols - 1) a[dwO + o * (cols - 1) + col] += acc;
        else a[dbO + o] += acc;
    }
}
