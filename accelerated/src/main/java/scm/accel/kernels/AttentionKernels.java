package scm.accel.kernels;

/**
 * Kernels of {@link scm.ref.nn.attention.SelfAttention2d}'s attention core: per sample and head, softmax(s·QKᵀ)V
 * over the L = H·W positions, s = 1/sqrt(dh), dh = C/heads. Layout: the qkv convolution's output [n, 3C, L]
 * (channel-major), so head h's query (i, d) sits at {@code (s·3C + h·dh + d)·L + i}, its key at channel
 * C + h·dh + d, its value at 2C + h·dh + d; the output O [n, C, L] puts head h at channels h·dh … (h+1)·dh − 1.
 *
 * <p><b>Forward and JVP: the flash recurrence</b> [sCM App. F; {@link scm.ref.nn.attention.FlashAttentionJvp}],
 * one query row per call, key blocks of size B, never forming the L x L matrix. Relative to the running max m:
 * l = Σ e^{x_j−m}, a = Σ e^{x_j−m} v_j, μ = Σ e^{x_j−m} t_x_j, and — since both are rescaled alike — one
 * accumulator gh = Σ e^{x_j−m} (t_x_j v_j + t_v_j) for the reference's g + h. A block with max m_b moves the
 * reference to m' = max(m, m_b), multiplying every accumulator by e^{m−m'}. At the end y = a/l and
 * t_y = gh/l − (μ/l)·y. The logit tangent is t_x_j = s (t_q·k_j + q·t_k_j). The accumulators a and gh live in
 * the output arrays; {@code scratch} holds the block's logits (and their tangents).
 *
 * <p><b>Backward</b> (one sample and head per call, since dK and dV sum over query rows), P recomputed row by
 * row as flash-attention backward does, with D_i = dy_i·y_i (y the forward output):
 * dV_j += p_ij dy_i,  ds_ij = p_ij (dy_i·v_j − D_i),  dQ_i += s ds_ij k_j,  dK_j += s ds_ij q_i.
 * The device arena splits it in two passes with more work items ({@link #backwardQueryRow}: p, ds and dQ per query
 * row; {@link #backwardKeyValue}: dK, dV per key element), summing in the same order, so the JVM gets the same bits.
 *
 * <p>No infinities: the running maxima start at the first logit (not at −∞) and the first block's rescaling factor is
 * 0 by construction. TornadoVM compiles OpenCL kernels with {@code -cl-fast-relaxed-math}, which lets the device
 * compiler assume every value is finite; e^{−∞ − m} = 0 would then be undefined. On the JVM the results are the same
 * bits as the −∞ form (e^{−∞} = 0 exactly, and the accumulators start at 0).
 */
public final class AttentionKernels {
    private AttentionKernels() {}

    /**
     * Query row {@code row} = ((s·heads + h)·L + i) of the flash forward: writes O at that row. {@code scratch} has
     * B floats per row (the block's logits).
     */
    public static void flashRow(float[] qkv, float[] o, float[] scratch, int c, int heads, int len, int block, int row) {
        flashRow(qkv, 0, o, 0, scratch, 0, c, heads, len, block, row);
    }

    /**
     * Query row {@code row} = ((s·heads + h)·L + i) of the flash forward: writes O at that row. {@code scratch} has
     * B floats per row (the block's logits).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void flashRow(float[] qkv, int qkvO, float[] o, int oO, float[] scratch, int scratchO, int c, int heads, int len,
                                int block, int row) {
        int i = row % len, sh = row / len, h = sh % heads, s = sh / heads;
        int dh = c / heads;
        float sc = (float) (1.0 / Math.sqrt(dh));
        int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len;
        int ob = (s * c + h * dh) * len + i;
        int xs = row * block;
        float m = 0f, l = 0f;
        for (int d = 0; d < dh; d++) o[oO + ob + d * len] = 0f;
        for (int j0 = 0; j0 < len; j0 += block) {
            int nb = Math.min(block, len - j0);
            float mb = 0f;
            for (int b = 0; b < nb; b++) {
                int j = j0 + b;
                float x = 0f;
                for (int d = 0; d < dh; d++) x += qkv[qkvO + qb + d * len + i] * qkv[qkvO + kb + d * len + j];
                x *= sc;
                scratch[scratchO + xs + b] = x;
                mb = b == 0 ? x : Math.max(mb, x);
            }
            float mNew = j0 == 0 ? mb : Math.max(m, mb);
            float alpha = j0 == 0 ? 0f : (float) IeeeMath.exp(m - mNew);   // nothing accumulated before the first block
            l *= alpha;
            for (int d = 0; d < dh; d++) o[oO + ob + d * len] *= alpha;
            for (int b = 0; b < nb; b++) {
                int j = j0 + b;
                float e = (float) IeeeMath.exp(scratch[scratchO + xs + b] - mNew);
                l += e;
                for (int d = 0; d < dh; d++) o[oO + ob + d * len] += e * qkv[qkvO + vb + d * len + j];
            }
            m = mNew;
        }
        float inv = 1f / l;
        for (int d = 0; d < dh; d++) o[oO + ob + d * len] *= inv;
    }

    /**
     * Query row {@code row} of the flash JVP: O and t_O at that row, the same primal arithmetic as {@link #flashRow}
     * (a separate kernel rather than a flag: one compiled form per mode). {@code scratch} has 2B floats per row.
     */
    public static void flashJvpRow(float[] qkv, float[] tqkv, float[] o, float[] to, float[] scratch, int c, int heads, int len,
                                   int block, int row) {
        flashJvpRow(qkv, 0, tqkv, 0, o, 0, to, 0, scratch, 0, c, heads, len, block, row);
    }

    /**
     * Query row {@code row} of the flash JVP: O and t_O at that row, the same primal arithmetic as {@link #flashRow}
     * (a separate kernel rather than a flag: one compiled form per mode). {@code scratch} has 2B floats per row.
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void flashJvpRow(float[] qkv, int qkvO, float[] tqkv, int tqkvO, float[] o, int oO, float[] to, int toO,
                                   float[] scratch, int scratchO, int c, int heads, int len, int block, int row) {
        int i = row % len, sh = row / len, h = sh % heads, s = sh / heads;
        int dh = c / heads;
        float sc = (float) (1.0 / Math.sqrt(dh));
        int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len;
        int ob = (s * c + h * dh) * len + i;
        int xs = row * 2 * block, ts = xs + block;
        float m = 0f, l = 0f, mu = 0f;
        for (int d = 0; d < dh; d++) { o[oO + ob + d * len] = 0f; to[toO + ob + d * len] = 0f; }
        for (int j0 = 0; j0 < len; j0 += block) {
            int nb = Math.min(block, len - j0);
            float mb = 0f;
            for (int b = 0; b < nb; b++) {
                int j = j0 + b;
                float x = 0f, tx = 0f;
                for (int d = 0; d < dh; d++) {
                    float q = qkv[qkvO + qb + d * len + i], k = qkv[qkvO + kb + d * len + j];
                    x += q * k;
                    tx += tqkv[tqkvO + qb + d * len + i] * k + q * tqkv[tqkvO + kb + d * len + j];
                }
                x *= sc;
                scratch[scratchO + xs + b] = x;
                scratch[scratchO + ts + b] = sc * tx;
                mb = b == 0 ? x : Math.max(mb, x);
            }
            float mNew = j0 == 0 ? mb : Math.max(m, mb);
            float alpha = j0 == 0 ? 0f : (float) IeeeMath.exp(m - mNew);   // nothing accumulated before the first block
            l *= alpha;
            mu *= alpha;
            for (int d = 0; d < dh; d++) { o[oO + ob + d * len] *= alpha; to[toO + ob + d * len] *= alpha; }
            for (int b = 0; b < nb; b++) {
                int j = j0 + b;
                float e = (float) IeeeMath.exp(scratch[scratchO + xs + b] - mNew);
                l += e;
                float et = e * scratch[scratchO + ts + b];
                mu += et;
                for (int d = 0; d < dh; d++) {
                    float v = qkv[qkvO + vb + d * len + j];
                    o[oO + ob + d * len] += e * v;
                    to[toO + ob + d * len] += et * v + e * tqkv[tqkvO + vb + d * len + j];
                }
            }
            m = mNew;
        }
        float inv = 1f / l, muL = mu * inv;
        for (int d = 0; d < dh; d++) {
            float y = o[oO + ob + d * len] * inv;
            o[oO + ob + d * len] = y;
            to[toO + ob + d * len] = to[toO + ob + d * len] * inv - muL * y;
        }
    }

    /** Query rows [from, to) of {@link #flashRow}. */
    public static void flashRows(float[] qkv, float[] o, float[] scratch, int c, int heads, int len, int block, int from, int until) {
        for (int r = from; r < until; r++) flashRow(qkv, o, scratch, c, heads, len, block, r);
    }

    /** Query rows [from, to) of {@link #flashJvpRow}. */
    public static void flashJvpRows(float[] qkv, float[] tqkv, float[] o, float[] to, float[] scratch, int c, int heads, int len, int block,
                                    int from, int until) {
        for (int r = from; r < until; r++) flashJvpRow(qkv, tqkv, o, to, scratch, c, heads, len, block, r);
    }

    /**
     * The backward of sample·head {@code sh} = s·heads + h: overwrites its dQ, dK, dV channels of dqkv [n, 3C, L]
     * from dO [n, C, L]; {@code p} holds L floats per sample·head (one probability row at a time).
     */
    public static void backwardHead(float[] qkv, float[] o, float[] dO, float[] dqkv, float[] p, int c, int heads, int len, int sh) {
        backwardHead(qkv, 0, o, 0, dO, 0, dqkv, 0, p, 0, c, heads, len, sh);
    }

    /**
     * The backward of sample·head {@code sh} = s·heads + h: overwrites its dQ, dK, dV channels of dqkv [n, 3C, L]
     * from dO [n, C, L]; {@code p} holds L floats per sample·head (one probability row at a time).
     * Offset form: each array is read/written from its offset (device arena layout); the plain form passes 0.
     */
    public static void backwardHead(float[] qkv, int qkvO, float[] o, int oO, float[] dO, int dOO, float[] dqkv, int dqkvO, float[] p,
                                    int pO, int c, int heads, int len, int sh) {
        int h = sh % heads, s = sh / heads, dh = c / heads;
        float sc = (float) (1.0 / Math.sqrt(dh));
        int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len;
        int ob = (s * c + h * dh) * len, pb = sh * len;
        for (int d = 0; d < dh; d++)
            for (int j = 0; j < len; j++) { dqkv[dqkvO + qb + d * len + j] = 0f; dqkv[dqkvO + kb + d * len + j] = 0f; dqkv[dqkvO + vb + d * len + j] = 0f; }
        for (int i = 0; i < len; i++) {
            float inv = expScoresRow(qkv, qkvO, p, pO + pb, qb, kb, dh, len, sc, i);
            float dd = 0f;
            for (int d = 0; d < dh; d++) dd += dO[dOO + ob + d * len + i] * o[oO + ob + d * len + i];
            for (int j = 0; j < len; j++) {
                float pij = p[pO + pb + j] * inv;
                float dv = 0f;
                for (int d = 0; d < dh; d++) {
                    float g = dO[dOO + ob + d * len + i];
                    dqkv[dqkvO + vb + d * len + j] += pij * g;
                    dv += g * qkv[qkvO + vb + d * len + j];
                }
                float ds = sc * (pij * (dv - dd));
                for (int d = 0; d < dh; d++) {
                    dqkv[dqkvO + qb + d * len + i] += ds * qkv[qkvO + kb + d * len + j];
                    dqkv[dqkvO + kb + d * len + j] += ds * qkv[qkvO + qb + d * len + i];
                }
            }
        }
    }

    /**
     * Row-parallel backward, pass 1 of 2 (the device form of {@link #backwardHead}: one work item per query row instead
     * of one per sample·head, since n·heads alone leaves a GPU idle): query row {@code row} = sh·L + i. Recomputes
     * p_ij with backwardHead's arithmetic, then D_i = dy_i·y_i, dv_ij = dy_i·v_j and ds_ij = s·p_ij (dv_ij − D_i);
     * stores p_ij at {@code p[row·L + j]} and ds_ij at {@code ds[row·L + j]} ([n·heads, L, L] each) for pass 2, and
     * overwrites dQ_i = Σ_j ds_ij k_j. Every sum runs in backwardHead's order from 0f (scores over d, dQ over j
     * increasing), so on the JVM the result is the same bits.
     */
    public static void backwardQueryRow(float[] qkv, int qkvO, float[] o, int oO, float[] dO, int dOO, float[] dqkv, int dqkvO, float[] p,
                                        int pO, float[] ds, int dsO, int c, int heads, int len, int row) {
        int i = row % len, sh = row / len, h = sh % heads, s = sh / heads, dh = c / heads;
        float sc = (float) (1.0 / Math.sqrt(dh));
        int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len;
        int ob = (s * c + h * dh) * len, pb = row * len;
        float inv = expScoresRow(qkv, qkvO, p, pO + pb, qb, kb, dh, len, sc, i);
        float dd = 0f;
        for (int d = 0; d < dh; d++) dd += dO[dOO + ob + d * len + i] * o[oO + ob + d * len + i];
        for (int j = 0; j < len; j++) {
            float pij = p[pO + pb + j] * inv;
            float dv = 0f;
            for (int d = 0; d < dh; d++) dv += dO[dOO + ob + d * len + i] * qkv[qkvO + vb + d * len + j];
            p[pO + pb + j] = pij;
            ds[dsO + pb + j] = sc * (pij * (dv - dd));
        }
        for (int d = 0; d < dh; d++) {
            float g = 0f;
            for (int j = 0; j < len; j++) g += ds[dsO + pb + j] * qkv[qkvO + kb + d * len + j];
            dqkv[dqkvO + qb + d * len + i] = g;
        }
    }

    /**
     * Row-parallel backward, pass 2 of 2: element {@code e} = (sh·dh + d)·L + j (consecutive items take consecutive
     * keys j, so their reads of p, ds and their writes are contiguous). From pass 1's p and ds ([n·heads, L, L]):
     * overwrites dV_j[d] = Σ_i p_ij dy_i[d] and dK_j[d] = Σ_i ds_ij q_i[d], i increasing from 0f: for a fixed (j, d)
     * {@link #backwardHead} adds the same terms in the same order, so on the JVM the result is the same bits.
     */
    public static void backwardKeyValue(float[] qkv, int qkvO, float[] dO, int dOO, float[] dqkv, int dqkvO, float[] p, int pO, float[] ds,
                                        int dsO, int c, int heads, int len, int e) {
        int dh = c / heads;
        int j = e % len, d = (e / len) % dh, sh = e / (len * dh), h = sh % heads, s = sh / heads;
        int qb = (s * 3 * c + h * dh) * len, kb = qb + c * len, vb = qb + 2 * c * len;
        int ob = (s * c + h * dh) * len, pb = sh * len * len;
        float gv = 0f, gk = 0f;
        for (int i = 0; i < len; i++) {
            gv += p[pO + pb + i * len + j] * dO[dOO + ob + d * len + i];
            gk += ds[dsO + pb + i * len + j] * qkv[qkvO + qb + d * len + i];
        }
        dqkv[dqkvO + vb + d * len + j] = gv;
        dqkv[dqkvO + kb + d * len + j] = gk;
    }

    /** Sample·heads [from, to) of {@link #backwardHead}. */
    public static void backwardHeads(float[] qkv, float[] o, float[] dO, float[] dqkv, float[] p, int c, int heads, int len, int from, int to) {
        for (int sh = from; sh < to; sh++) backwardHead(qkv, o, dO, dqkv, p, c, heads, len, sh);
    }

    /**
     * The unnormalized probability row of query i (backward recompute): e_j = exp(sc·q_i·k_j − max_j) into
     * {@code p[pRow + j]}; returns 1/Σ_j e_j. Shared by {@link #backwardHead} and {@link #backwardQueryRow} so both
     * recompute the same bits.
     */
    static float expScoresRow(float[] qkv, int qkvO, float[] p, int pRow, int qb, int kb, int dh, int len, float sc, int i) {
        float m = 0f;
        for (int j = 0; j < len; j++) {
            float x = 0f;
            for (int d = 0; d < dh; d++) x += qkv[qkvO + qb + d * len + i] * qkv[qkvO + kb + d * len + j];
            x *= sc;
            p[pRow + j] = x;
            m = j == 0 ? x : Math.max(m, x);
        }
        float sum = 0f;
        for (int j = 0; j < len; j++) { float e = (float) IeeeMath.exp(p[pRow + j] - m); p[pRow + j] = e; sum += e; }
        return 1f / sum;
    }

}
