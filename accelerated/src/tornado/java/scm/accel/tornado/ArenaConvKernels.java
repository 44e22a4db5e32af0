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
 * Tile: {@link #TP} pixels × 8·nq output channels per work-group of {@link ArenaKernels#RG} items, K staged
 * {@link #TK} at a time; item (tp, tc) owns pixels tp + 16r (r &lt; 4) and channels tc + 8q (q &lt; nq): nq = 2 (16 channels,
 * 8 outputs per item) or, where the output channels fill 32-channel tiles ({@link #quads}), nq = 4 (32 channels, 16
 * outputs per item: per multiply-add half the local loads, and 40 % fewer gathered values per output).
 *
 * <p>The partials branch of {@link #conv2dTiled} + {@link #conv2dParamGradReduce} are the weight and bias gradients as one product
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

    /** Pixels of a {@link #conv2dTiled} tile and its K stage (also the gradient product's). */
    public static final int TP = 64, TK = 32;
    /** Output channels × columns of a weight-gradient partials tile of {@link #conv2dTiled} (its K stage is {@link #TK} pixels). */
    public static final int TO = 16, TQ = 64;
    /** Padded row lengths of the gradient product's local tiles (odd: the transposed stores hit distinct banks). */
    static final int XQ = TQ + 1, DQ = TO + 1;

    /**
     * Groups of 8 output channels per item of a {@link #conv2dTiled} tile for {@code cOut} output channels: 4 (a 32-channel
     * tile) when cOut &gt; 16 and its last tile would be more than half full, else 2 (16 channels); always 2 with
     * {@code -Dscm.arena.wideConv=false} (for side-by-side timing).
     */
    public static int quads(int cOut) { return WIDE && cOut > 16 && (cOut % 32 == 0 || cOut % 32 > 16) ? 4 : 2; }

    private static final boolean WIDE = !"false".equals(System.getProperty("scm.arena.wideConv"));

    /** Bits of {@link #conv2dTiled}'s mode above nq (bits 0–2): the input gradient (W transposed, taps reversed), a bias, an addend. */
    static final int TRANSPOSED = 8, BIAS = 16, ADDEND = 32;

    /** A {@link #conv2dTiled} mode: nq = {@link #quads}(cOut) and the flags. */
    public static int mode(int cOut, boolean transposed, boolean bias, boolean addend) {
        return quads(cOut) | (transposed ? TRANSPOSED : 0) | (bias ? BIAS : 0) | (addend ? ADDEND : 0);
    }

    /** Work-groups of a {@link #conv2dTiled} launch (one input). */
    public static int tiledGroups(int pixels, int cOut) {
        int tc = 8 * quads(cOut);
        return ((pixels + TP - 1) / TP) * ((cOut + tc - 1) / tc);
    }

    /**
     * out[s, o, ·] for o &lt; cOut over {@code pixels} = n·h·w positions (see the class comment). {@code g} is the gathered
     * tensor [n, cg, h, w] (the input x for the forward, dy for the input gradient); the weight of (o, κ = (c, tap)) is
     * {@code w[(o·cg + c)·k² + tap]} for the forward, {@code w[(c·cOut + o)·k² + tap]} for the input gradient (mode
     * {@link #TRANSPOSED}: W transposed, the tap (u, v) reading G at (i − (u − p), j − (v − p)) instead of + (u − p), + (v −
     * p)). {@code mode} = {@link #mode}: nq channel groups of 8 per item in its low bits; with {@link #BIAS} the sums start
     * from the bias b[o]; with {@link #ADDEND} the addend r (the output's shape, at r1, or r2 for the pair's second half)
     * is added last, y = r + Σ: a residual block's sum of two paths (Backend#conv2dPlus, #conv2dDualPlus, and the input
     * gradient's g1 + skip'(g) in Backend#conv2dBackward). Every scalar is compiled into the task, so the mode's tests fold.
     * Launch: {@code perInput} = {@link #tiledGroups} work-groups of {@link ArenaKernels#RG} items, group =
     * pixelTile·channelTiles + channelTile, computing y1 from g1; or, forward, 2·perInput groups, the second half
     * computing y2 from g2 with the same weights and no bias (a convolution and its tangent: one task); or, input
     * gradient, perInput + {@link #partialGroups} groups, the groups beyond perInput computing the weight and bias
     * gradients' chunk partials of dy = g1 and x = g2 into y2 (below; chunks of {@code chunkLen} pixels). That is the
     * backward of a convolution as one task ({@code Backend#conv2dBackward}): one launch fewer per convolution (~40 µs
     * each even inside a captured CUDA graph on the H200, docs/gpu.md), and the two kinds of groups run side by side.
     *
     * <p>The partials: part[(chunk·cout + o)·cols + κ] = Σ over the chunk's pixels of dy[s, o, i, j] · X[κ] with
     * cols = cin·k² + 1 (here cout = cg, cin = cOut), X[κ &lt; cin·k²] = x[s, c, i + u − p, j + v − p] (0 in the padding)
     * and X[cin·k²] = 1 (the bias column); group = perInput + (chunk·rowTiles + rowTile)·colTiles + colTile, item (tq, tr)
     * owning columns tq + 16r (r &lt; 4) and channels tr, tr + 8 of its {@link #TO} × {@link #TQ} tile. Both kinds are in
     * this one kernel because local arrays cannot be handed to a helper (class comment).
     */
    public static void conv2dTiled(KernelContext kc, float[] a, int g1O, int g2O, int wO, int bO, int y1O, int y2O, int r1O, int r2O, int perInput, int pixels,
                                   int cg, int h, int wd, int cOut, int k, int mode, int chunkLen) {
        int nq = mode & 7, sign = (mode & TRANSPOSED) == 0 ? 1 : -1, hasBias = (mode & BIAS) == 0 ? 0 : 1, addend = (mode & ADDEND) == 0 ? 0 : 1;
        // sized for every tile shape: the gradient product's rows are padded (XQ, DQ), the convolution tile's are not
        float[] xs = kc.allocateFloatLocalArray(TK * XQ);
        float[] ws = kc.allocateFloatLocalArray(TK * 32);   // ≥ TK·DQ (the partials' padded rows) and TK·32 (a wide tile)
        int t = kc.localIdx;
        int plane = h * wd, kk = k * k, p = (k - 1) / 2;
        int tp = t % 16, tc = t / 16;   // the outputs an item owns: columns/pixels tp + 16r (r < 4), channels tc + 8q
        // One loop of stages for both kinds of groups, with the kind's work between the same two barriers: PoCL gave
        // wrong, varying results (stray writes) when each kind had a loop with barriers of its own (2026-12-01).
        boolean partial = sign < 0 && kc.groupIdx >= perInput;
        // the partials' tile: columns colBase.., channels rowBase.. over the pixels [pFrom, pTo) of its chunk
        int colBase = 0, rowBase = 0, chunk = 0, pFrom = 0, pTo = 0, cols = cOut * kk + 1;
        // the convolution's tile: pixels pBase.., channels cBase.., reading g at gO, writing y at yO
        int tcw = 8 * nq, gO = g1O, yO = y1O, rO = r1O, pBase = 0, cBase = 0, kTot = cg * kk;
        int stages;
        if (partial) {
            int nqt = (cols + TQ - 1) / TQ, nrt = (cg + TO - 1) / TO;
            int grp = kc.groupIdx - perInput;
            colBase = (grp % nqt) * TQ;
            int rest = grp / nqt;
            rowBase = (rest % nrt) * TO;
            chunk = rest / nrt;
            pFrom = chunk * chunkLen;
            pTo = pFrom + chunkLen;
            if (pTo > pixels) pTo = pixels;
            stages = (pTo - pFrom + TK - 1) / TK;
        } else {
            int nct = (cOut + tcw - 1) / tcw;
            // a launch of 2·perInput groups is a JVP's pair (conv2dDual): the second half convolves g2 into y2, without bias
            // (not named "half": the OpenCL backend emits parameter names as they are, and half is an OpenCL C type)
            int which = kc.groupIdx / perInput;
            int grp = kc.groupIdx - which * perInput;
            if (which == 1) {
                gO = g2O;
                yO = y2O;
                rO = r2O;
                hasBias = 0;
            }
            pBase = (grp / nct) * TP;
            cBase = (grp % nct) * tcw;
            stages = (kTot + TK - 1) / TK;
        }
        // the convolution tile's gather: this item's pixel (the same in every stage) and where its sample starts in g
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
        int wc = t % tcw, wrow = t / tcw;   // the weight column this item stages
        int oc = cBase + wc;
        int pm = t % TK, pq = t / TK;       // the partials' staging: this item's pixel offset and column block / channel rows
        float b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f;
        if (!partial && hasBias == 1) {
            if (cBase + tc < cOut) b0 = a[bO + cBase + tc];
            if (cBase + tc + 8 < cOut) b1 = a[bO + cBase + tc + 8];
            if (nq == 4 && cBase + tc + 16 < cOut) b2 = a[bO + cBase + tc + 16];
            if (nq == 4 && cBase + tc + 24 < cOut) b3 = a[bO + cBase + tc + 24];
        }
        float c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        float c02 = b2, c03 = b3, c12 = b2, c13 = b3, c22 = b2, c23 = b3, c32 = b2, c33 = b3;
        for (int st = 0; st < stages; st++) {
            if (partial) {
                int pp = pFrom + st * TK + pm;
                int s = 0, rem = 0, i = 0, j = 0;
                if (pp < pTo) {
                    s = pp / plane;
                    rem = pp - s * plane;
                    i = rem / wd;
                    j = rem - i * wd;
                }
                // this item's columns are consecutive, col0 .. col0 + TQ/4 − 1, (channel, tap) stepped as in the tile's gather
                // below (one loop serving both, its stride, limit and base chosen per kind, measured slower on the H200:
                // a 28x28 step in 0.87 of the time the code before these gathers took in the same call, against 0.76 for
                // the two loops; docs/gpu.md, 2026-12-01, so the two stay written out)
                int col0 = pq * (TK * TQ / ArenaKernels.RG), kidx = colBase + col0;
                int c = kidx / kk, tap = kidx - c * kk, u = tap / k, vv = tap - u * k;
                int chan = g2O + s * cOut * plane + c * plane;
                for (int q = 0; q < TK * TQ / ArenaKernels.RG; q++) {
                    float v = 0f;
                    if (pp < pTo && kidx + q < cols) {
                        if (kidx + q == cols - 1) {
                            v = 1f;
                        } else {
                            int yy = i + u - p, xx = j + vv - p;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < wd) v = a[chan + yy * wd + xx];
                        }
                    }
                    xs[pm * XQ + col0 + q] = v;
                    vv++;
                    if (vv == k) {
                        vv = 0;
                        u++;
                        if (u == k) {
                            u = 0;
                            chan += plane;
                        }
                    }
                }
                for (int q = 0; q < TK * TO / ArenaKernels.RG; q++) {
                    int row = pq + q * (ArenaKernels.RG / TK);
                    int o = rowBase + row;
                    float v = 0f;
                    if (pp < pTo && o < cg) v = a[g1O + (s * cg + o) * plane + rem];
                    ws[pm * DQ + row] = v;
                }
            } else {
                int kt = st * TK;
                // this item's K rows of the stage are consecutive, kr0 .. kr0 + TK/2 − 1: (channel, tap) is found by
                // division once and then stepped, instead of two divisions per gathered value
                int kr0 = lrow * (TK * TP / ArenaKernels.RG), kidx = kt + kr0;
                int c = kidx / kk, tap = kidx - c * kk, u = tap / k, vv = tap - u * k;
                int chan = sampleBase + c * plane;
                for (int q = 0; q < TK * TP / ArenaKernels.RG; q++) {
                    float v = 0f;
                    if (gp < pixels && kidx + q < kTot) {
                        int yy = li + sign * (u - p), xx = lj + sign * (vv - p);
                        if (yy >= 0 && yy < h && xx >= 0 && xx < wd) v = a[chan + yy * wd + xx];
                    }
                    xs[(kr0 + q) * TP + lm] = v;
                    vv++;
                    if (vv == k) {
                        vv = 0;
                        u++;
                        if (u == k) {
                            u = 0;
                            chan += plane;
                        }
                    }
                }
                for (int q = 0; q < TK * tcw / ArenaKernels.RG; q++) {
                    int kr = wrow + q * (ArenaKernels.RG / tcw);
                    int wk = kt + kr;
                    float v = 0f;
                    if (oc < cOut && wk < kTot) {
                        int wcn = wk / kk;
                        // W[o, c, tap] for the forward, W[c, o, tap] (transposed) for the input gradient
                        int row = sign > 0 ? oc * cg + wcn : wcn * cOut + oc;
                        v = a[wO + row * kk + wk - wcn * kk];
                    }
                    ws[kr * tcw + wc] = v;
                }
            }
            kc.localBarrier();
            // the partials' rows are XQ / DQ long, the tile's TP / tcw; both read 4 values of xs and 2 or 4 of ws per step
            int xl = partial ? XQ : TP, wl = partial ? DQ : tcw;
            for (int kr = 0; kr < TK; kr++) {
                int xb = kr * xl + tp, wb = kr * wl + tc;
                float x0 = xs[xb], x1 = xs[xb + 16], x2 = xs[xb + 32], x3 = xs[xb + 48];
                float w0 = ws[wb], w1 = ws[wb + 8];
                c00 += w0 * x0; c01 += w1 * x0;
                c10 += w0 * x1; c11 += w1 * x1;
                c20 += w0 * x2; c21 += w1 * x2;
                c30 += w0 * x3; c31 += w1 * x3;
                if (!partial && nq == 4) {
                    float w2 = ws[wb + 16], w3 = ws[wb + 24];
                    c02 += w2 * x0; c03 += w3 * x0;
                    c12 += w2 * x1; c13 += w3 * x1;
                    c22 += w2 * x2; c23 += w3 * x2;
                    c32 += w2 * x3; c33 += w3 * x3;
                }
            }
            kc.localBarrier();
        }
        if (partial) {
            int o0 = rowBase + tc, o1 = o0 + 8;
            for (int r = 0; r < 4; r++) {
                int col = colBase + tp + 16 * r;
                if (col < cols) {
                    float v0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
                    float v1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
                    if (o0 < cg) a[y2O + (chunk * cg + o0) * cols + col] = v0;
                    if (o1 < cg) a[y2O + (chunk * cg + o1) * cols + col] = v1;
                }
            }
        } else {
            int o0 = cBase + tc;
            for (int r = 0; r < 4; r++) {
                int px = pBase + tp + 16 * r;
                if (px < pixels) {
                    int s = px / plane;
                    int e = (s * cOut + o0) * plane + px - s * plane, f = 8 * plane;
                    float v0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
                    float v1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
                    float v2 = r == 0 ? c02 : r == 1 ? c12 : r == 2 ? c22 : c32;
                    float v3 = r == 0 ? c03 : r == 1 ? c13 : r == 2 ? c23 : c33;
                    if (addend == 1) {   // the addend r (the output's shape), added last: r + Σ
                        if (o0 < cOut) v0 = a[rO + e] + v0;
                        if (o0 + 8 < cOut) v1 = a[rO + e + f] + v1;
                        if (nq == 4 && o0 + 16 < cOut) v2 = a[rO + e + 2 * f] + v2;
                        if (nq == 4 && o0 + 24 < cOut) v3 = a[rO + e + 3 * f] + v3;
                    }
                    if (o0 < cOut) a[yO + e] = v0;
                    if (o0 + 8 < cOut) a[yO + e + f] = v1;
                    if (nq == 4 && o0 + 16 < cOut) a[yO + e + 2 * f] = v2;
                    if (nq == 4 && o0 + 24 < cOut) a[yO + e + 3 * f] = v3;
                }
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

    /** Work-groups of the weight-gradient partials in a {@link #conv2dTiled} launch. */
    public static int partialGroups(int pixels, int cout, int cin, int k) {
        return chunks(pixels, cout, cin, k) * ((cout + TO - 1) / TO) * ((cin * k * k + 1 + TQ - 1) / TQ);
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
