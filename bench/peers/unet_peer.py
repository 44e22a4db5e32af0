#!/usr/bin/env python3
"""PyTorch peer of the 28x28 U-Net preset (scm.ref.model.unet.UNetConfig.mnist28 / scm.accel.model.UNetF32) for
docs/gpu.md and issue 12's U-Net target. Written as a PyTorch user would; same architecture, operation order and
parameter count as the Java model (262,610 with the adaptive-weight head), float32, TF32 off, random weights (it
times the same arithmetic; it does not load our models).

Architecture (UNet.java, ResBlock.java, SelfAttention2d.java; docs/math.md sections 9, 10.5, 10.6):
  e = SiLU(emb.lin2(SiLU(emb.lin1(pos(t)))))      pos(t) = [sin(f_k t) | cos(f_k t)], f_k = exp(-k ln(10)/(h-1)), h = 16
  h = in.conv(x / sigma_d)                        3x3, 1 -> 16 channels
  down (28, 14, 7; channels 16, 32, 32): one ResBlock per level, 2x average pooling after levels 0 and 1;
        the in.conv output, every block output and every pooling output is kept as a skip (6 skips)
  mid: ResBlock, self-attention (GroupNorm, 1x1 conv to QKV, 2 heads of 16 channels over the 49 positions,
       softmax(Q K^T / 4) V, 1x1 conv, residual), ResBlock
  up (7, 14, 28): two ResBlocks per level, each on [h | skip] (skips in reverse order), nearest 2x upsampling
       after levels 2 and 1
  F = out.conv(SiLU(out.norm(h)))                 GroupNorm(4, 16) with affine, 3x3 conv 16 -> 1
  ResBlock(x, e): h = conv1(SiLU(AdaGN1(x, e))); h = conv2(Dropout(SiLU(AdaGN2(h, e)))); y = skip(x) + h
       (skip: identity, or a 1x1 conv when the channel count changes)
  AdaGN(x, e) = GroupNorm(4 groups, no affine, eps 1e-5)(x) * pnorm(scale(e)) + pnorm(shift(e)), broadcast over pixels,
       pnorm(v) = v / sqrt(mean(v^2) + 1e-8) over the channels (adaptive double normalisation, sCM Sec. 4.1)
  f(x, t) = cos t x - sigma_d sin t F(x / sigma_d, t)
  w(t) = Linear(128, 1)(sqrt(2) cos(2 pi (omega t + phi)))   adaptive-weight head, omega ~ N(0, 1), phi ~ U[0, 1) buffers
The attention is written out with matmul + softmax (not F.scaled_dot_product_attention, whose fused CUDA kernels have
no forward-mode derivative); at 49 positions it is a small part of the step.

Workloads (medians over --rounds; each round times --inner calls at small batches; every timed loop is also capped
at --cap seconds, and the line says how many rounds it got if the cap cut it short):
  train  : one sCT step as ScmObjectiveF32.sct / docs/math.md section 11 L2-L3: x_t = cos t x0 + sin t z,
           dx_t/dt = cos t z - sin t x0, one JVP of F at (x_t / sigma_d, t) along (cos t sin t dx_t/dt,
           cos t sin t sigma_d) whose primal F keeps the autograd graph (F- = F.detach(); no second forward),
           g = -cos^2 t (sigma_d F- - dx_t/dt) - r (cos t sin t x_t + J), r = 0.5, g <- g / (||g|| + 0.1) per sample,
           loss = mean(e^w / D ||F - F- - g||^2 - w), backward, RAdam (lr 2e-4, betas (0.9, 0.99)), EMA 0.999 of the
           weights; the same batch every step (data resident on the device). Eager, and as one CUDA graph (RAdam
           capturable=True). JVP by torch.func.jvp where it exists (torch >= 2.0), else torch.autograd.forward_ad;
           if capturing fails with one JVP form the next is tried (forward_ad, then a double-backward JVP) and the
           line says which one was captured. Also printed: the network work alone (JVP + backward of a fixed dL/dF,
           what scm.accel.bench.UNetBench times as "sCT step (jvp+bwd)"), eager.
  sample : 2-step consistency sampling x0 = f(z0, t_max); x = f(cos t_mid x0 + sin t_mid z1, t_mid), per-sample
           times (the reference's contract), under no_grad, eval mode; eager and as one CUDA graph, noise resident.
Dropout: --dropout (default 0: what the shipped Fashion-MNIST runs used, and deterministic for timing).
Checks printed first: the parameter count against the Java model's; on a float64 copy (CPU, batch 2) the JVP against
a central difference of F; the loss gradient of every available JVP form against the first (float32, batch 4).
Usage: python3 unet_peer.py [--batches 128] [--sample 1024,4096] [--rounds 10] [--device cuda|cpu] [--dropout 0]
Works with torch 1.13 (CPU; forward_ad, no capturable RAdam) and 2.x (CUDA graphs).
"""
import argparse
import copy
import inspect
import json
import math
import os
import struct
import statistics
import time

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as Fn

from mlp_peer import graphed  # warm-up on a side stream, then capture (the MLP peer's)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
SIGMA_D = 0.5
T_MAX = math.atan(80.0 / SIGMA_D)   # TrigFlow.tMax(): arctan(sigma_max / sigma_d), sigma_max = 80
T_MID = 1.1
JAVA_PARAMS = 262_610               # UNet(UNetConfig.mnist28) params() plus its AdaptiveWeightHead (UNetBench prints it)
HAS_FUNC = hasattr(torch, "func") and hasattr(torch.func, "jvp")
HAS_CAPTURABLE = "capturable" in inspect.signature(torch.optim.RAdam.__init__).parameters


def pnorm(v):
    return v * torch.rsqrt(v.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class AdaGN(nn.Module):
    """Adaptive double normalisation for images (AdaptiveGroupNorm2d): GroupNorm without affine, then per-channel
    pnorm(scale(e)) and pnorm(shift(e))."""

    def __init__(self, c, groups, e):
        super().__init__()
        self.groups, self.scale, self.shift = groups, nn.Linear(e, c), nn.Linear(e, c)

    def forward(self, x, e):
        s, b = pnorm(self.scale(e)), pnorm(self.shift(e))
        return Fn.group_norm(x, self.groups, eps=1e-5) * s[:, :, None, None] + b[:, :, None, None]


class ResBlock(nn.Module):
    def __init__(self, cin, cout, groups, e, p):
        super().__init__()
        self.norm1, self.conv1 = AdaGN(cin, groups, e), nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2, self.drop = AdaGN(cout, groups, e), nn.Dropout(p)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, e):
        h = self.conv1(Fn.silu(self.norm1(x, e)))
        h = self.conv2(self.drop(Fn.silu(self.norm2(h, e))))
        return (x if self.skip is None else self.skip(x)) + h


class SelfAttention2d(nn.Module):
    """x + proj(attention(qkv(GroupNorm(x)))); head j uses channels j*C/heads.. of each of Q, K, V."""

    def __init__(self, c, heads, groups):
        super().__init__()
        self.heads, self.norm = heads, nn.GroupNorm(groups, c, eps=1e-5)
        self.qkv, self.proj = nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)

    def forward(self, x):
        n, c, hh, ww = x.shape
        dh = c // self.heads
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, self.heads, dh, hh * ww).unbind(1)   # each [n, heads, dh, L]
        p = torch.softmax(q.transpose(-1, -2) @ k * (1.0 / math.sqrt(dh)), dim=-1)           # [n, heads, L, L]
        o = v @ p.transpose(-1, -2)                                                           # o[:, :, :, i] = sum_j p_ij v_j
        return x + self.proj(o.reshape(n, c, hh, ww))


class UNet(nn.Module):
    def __init__(self, channels=1, base=16, mult=(1, 2, 2), blocks=1, groups=4, emb=32, heads=2, p=0.0):
        super().__init__()
        half = emb // 2
        self.register_buffer("freq", torch.exp(-torch.arange(half) * math.log(10.0) / (half - 1)))
        self.emb_lin1, self.emb_lin2 = nn.Linear(emb, emb), nn.Linear(emb, emb)
        self.in_conv = nn.Conv2d(channels, base, 3, padding=1)
        c, skips = base, [base]
        self.down = nn.ModuleList()
        for lvl, m in enumerate(mult):
            level = nn.ModuleList()
            for _ in range(blocks):
                level.append(ResBlock(c, base * m, groups, emb, p))
                c = base * m
                skips.append(c)
            self.down.append(level)
            if lvl < len(mult) - 1:
                skips.append(c)   # the pooled activation
        self.mid1, self.attn, self.mid2 = ResBlock(c, c, groups, emb, p), SelfAttention2d(c, heads, groups), ResBlock(c, c, groups, emb, p)
        self.up = nn.ModuleList()
        for m in reversed(mult):
            level = nn.ModuleList()
            for _ in range(blocks + 1):
                level.append(ResBlock(c + skips.pop(), base * m, groups, emb, p))
                c = base * m
            self.up.append(level)
        self.out_norm, self.out_conv = nn.GroupNorm(groups, c, eps=1e-5), nn.Conv2d(c, channels, 3, padding=1)
        self.register_buffer("head_freq", torch.randn(128))    # adaptive-weight head: Fourier features (buffers) + Linear
        self.register_buffer("head_phase", torch.rand(128))
        self.head = nn.Linear(128, 1)

    def embed(self, t):
        a = t[:, None] * self.freq[None, :]
        return Fn.silu(self.emb_lin2(Fn.silu(self.emb_lin1(torch.cat([torch.sin(a), torch.cos(a)], dim=1)))))

    def forward(self, xs, t):
        e = self.embed(t)
        h = self.in_conv(xs)
        skips = [h]
        for lvl, level in enumerate(self.down):
            for b in level:
                h = b(h, e)
                skips.append(h)
            if lvl < len(self.down) - 1:
                h = Fn.avg_pool2d(h, 2)
                skips.append(h)
        h = self.mid2(self.attn(self.mid1(h, e)), e)
        for lvl, level in enumerate(self.up):
            for b in level:
                h = b(torch.cat([h, skips.pop()], dim=1), e)
            if lvl < len(self.up) - 1:
                h = Fn.interpolate(h, scale_factor=2, mode="nearest")
        return self.out_conv(Fn.silu(self.out_norm(h)))

    def weight(self, t):
        return self.head(math.sqrt(2) * torch.cos(2 * math.pi * (t[:, None] * self.head_freq + self.head_phase)))[:, 0]


def col(v):
    return v[:, None, None, None]


def f(model, x, t):
    return col(torch.cos(t)) * x - SIGMA_D * col(torch.sin(t)) * model(x / SIGMA_D, t)


def sample2(model, z0, z1, t0, t1):
    x = f(model, z0, t0)
    return f(model, col(torch.cos(t1)) * x + col(torch.sin(t1)) * z1, t1)


def jvp_modes():
    return (["func"] if HAS_FUNC else []) + ["fwad", "dbl"]


JVP_NAMES = {"func": "torch.func.jvp", "fwad": "torch.autograd.forward_ad", "dbl": "double-backward JVP"}


def net_jvp(model, xs, t, tx, tt, mode):
    """(F, J): F = F(xs, t) with its autograd graph to the parameters, J = dF along (tx, tt), no graph."""
    if mode == "func":
        F, J = torch.func.jvp(model, (xs, t), (tx, tt))
        return F, J.detach()
    if mode == "fwad":
        with fwAD.dual_level():
            F, J = fwAD.unpack_dual(model(fwAD.make_dual(xs, tx), fwAD.make_dual(t, tt)))
        return F, J.detach()
    xs, t = xs.detach().requires_grad_(), t.detach().requires_grad_()   # J = d/dv <(dF)^T v, (tx, tt)>
    F = model(xs, t)
    v = torch.zeros_like(F, requires_grad=True)
    gx, gt = torch.autograd.grad(F, (xs, t), v, create_graph=True)
    J, = torch.autograd.grad((gx, gt), v, (tx, tt), retain_graph=True)
    return F, J.detach()


def sct_loss(model, x0, z, t, mode, r=0.5, c=0.1):
    D = x0[0].numel()
    ct, st = col(torch.cos(t)), col(torch.sin(t))
    xt = ct * x0 + st * z
    dxdt = ct * z - st * x0
    cs = ct * st
    F, J = net_jvp(model, xt / SIGMA_D, t, cs * dxdt, cs.flatten() * SIGMA_D, mode)
    Fm = F.detach()
    g = -ct * ct * (SIGMA_D * Fm - dxdt) - r * (cs * xt + J)
    g = g / col(g.flatten(1).norm(dim=1) + c)
    w = model.weight(t)
    return (torch.exp(w) / D * (F - Fm - g).pow(2).flatten(1).sum(dim=1) - w).mean()


def ema_update(ema, params, beta):
    with torch.no_grad():
        if hasattr(torch, "_foreach_lerp_"):
            torch._foreach_lerp_(ema, params, 1.0 - beta)
        else:
            for e, p in zip(ema, params):
                e.lerp_(p, 1.0 - beta)


def sct_step(model, opt, ema, x0, z, t, mode, ema_beta=0.999):
    loss = sct_loss(model, x0, z, t, mode)
    opt.zero_grad(set_to_none=False)
    loss.backward()
    opt.step()
    ema_update(ema, list(model.parameters()), ema_beta)
    return loss.detach()


def sync(dev):
    if dev == "cuda":
        torch.cuda.synchronize()


def timed(fn, dev, rounds, inner, cap_s, warm=3):
    """Median ms per call over `rounds` rounds of `inner` calls; stops early once the rounds took cap_s seconds."""
    for _ in range(warm):
        fn()
    sync(dev)
    ts, start = [], time.perf_counter()
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        sync(dev)
        ts.append((time.perf_counter() - t0) * 1e3 / inner)
        if time.perf_counter() - start > cap_s:
            break
    return statistics.median(ts), len(ts)


def fmt(ms_n, rounds):
    ms, n = ms_n
    return f"{ms:9.3f} ms" + ("" if n >= rounds else f" ({n} rounds, cap)")


def train_inputs(n, dev, gen):
    x0 = (torch.randn(n, 1, 28, 28, generator=gen) * 0.5).to(dev)
    z = (torch.randn(n, 1, 28, 28, generator=gen) * SIGMA_D).to(dev)
    t = torch.atan(torch.exp(-1.0 + 1.4 * torch.randn(n, generator=gen)) / SIGMA_D).to(dev)   # proposal (-1.0, 1.4)
    return x0, z, t


def radam(model, capturable):
    kw = {"capturable": True} if capturable else {}
    return torch.optim.RAdam(model.parameters(), lr=2e-4, betas=(0.9, 0.99), eps=1e-8, **kw)


def java_name(name, levels=3):
    """This model's parameter name -> the Java model's (UNet.java: down.l.res.b, mid.res.k, mid.attn, up.l.res.b, ...)."""
    parts = name.split(".")
    if parts[0] in ("down", "up"):
        lvl = int(parts[1]) if parts[0] == "down" else levels - 1 - int(parts[1])   # self.up runs from the lowest level
        return ".".join([parts[0], str(lvl), "res", parts[2]] + parts[3:])
    heads = {"emb_lin1": "emb.lin1", "emb_lin2": "emb.lin2", "in_conv": "in.conv", "mid1": "mid.res.0", "attn": "mid.attn",
             "mid2": "mid.res.1", "out_norm": "out.norm", "out_conv": "out.conv", "head": "weight_head.linear"}
    return ".".join([heads[parts[0]]] + parts[1:])


def java_shapes():
    """Names and shapes of the shipped Java export (an `scm export` of UNet(mnist28) + weight head), if present."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "checkpoints", "fashion-mnist", "sct.safetensors")
    if not os.path.exists(path):
        return None, path
    with open(path, "rb") as fh:
        header = json.loads(fh.read(struct.unpack("<Q", fh.read(8))[0]))
    return {k[len("ema.0."):]: v["shape"] for k, v in header.items() if k.startswith("ema.0.")}, path


def checks(base, dev, p):
    n = sum(q.numel() for q in base.parameters())
    print(f"unet28 (UNetConfig.mnist28): {n:,} parameters incl. the weight head's {sum(q.numel() for q in base.head.parameters())} "
          f"| Java model: {JAVA_PARAMS:,} -> {'match' if n == JAVA_PARAMS else 'MISMATCH'}", flush=True)
    js, path = java_shapes()
    if js is None:
        print(f"check names/shapes against the Java export: skipped ({os.path.relpath(path)} not found)", flush=True)
    else:
        mine = {java_name(k): list(q.shape) for k, q in base.named_parameters()}
        bad = sorted(set(mine) ^ set(js)) + sorted(k for k in mine if k in js and mine[k] != js[k])
        print(f"check names/shapes against the Java export checkpoints/fashion-mnist/sct.safetensors: {len(mine)} tensors, "
              + ("all identical" if not bad else f"MISMATCH at {bad[:6]}"), flush=True)
    gen = torch.Generator().manual_seed(3)
    m64 = copy.deepcopy(base).cpu().double().eval()
    x = torch.randn(2, 1, 28, 28, generator=gen, dtype=torch.float64)
    tx = torch.randn(2, 1, 28, 28, generator=gen, dtype=torch.float64) * 0.3
    t = torch.tensor([0.3, 1.2], dtype=torch.float64)
    tt = torch.tensor([0.2, -0.1], dtype=torch.float64)
    h = 1e-5   # central difference in float64: truncation ~h^2 |F'''| ~ 1e-10, roundoff ~eps |F| / h ~ 1e-11
    with torch.no_grad():
        fd = (m64(x + h * tx, t + h * tt) - m64(x - h * tx, t - h * tt)) / (2 * h)
    for mode in jvp_modes():
        _, J = net_jvp(m64, x, t, tx, tt, mode)
        print(f"check float64 JVP ({JVP_NAMES[mode]}) vs central difference h=1e-5: max |diff| / max |J| = "
              f"{(J - fd).abs().max().item() / fd.abs().max().item():.1e}", flush=True)
    _, J = net_jvp(m64, x, t, tx, torch.zeros_like(tt), jvp_modes()[0])   # control: the time tangent left out
    print(f"  control, the same check with the time tangent dropped from the JVP: {(J - fd).abs().max().item() / fd.abs().max().item():.1e}",
          flush=True)
    x0, z, tb = train_inputs(4, dev, gen)
    ref = None
    for mode in jvp_modes():
        m = copy.deepcopy(base).train()
        torch.manual_seed(11)   # the same dropout masks for every form (when --dropout > 0)
        sct_loss(m, x0, z, tb, mode).backward()
        # theta only: the weight head's gradient (large at random weights) would hide a difference in the network's
        gvec = torch.cat([q.grad.flatten() for k, q in m.named_parameters() if not k.startswith("head.")])
        if ref is None:
            ref, rmode = gvec, mode
            print(f"check sCT loss gradient ({JVP_NAMES[mode]}, float32, batch 4, dropout {p}): ||grad theta|| = {gvec.norm().item():.4e}", flush=True)
        else:
            print(f"check sCT loss gradient {JVP_NAMES[mode]} vs {JVP_NAMES[rmode]}: ||diff|| / ||grad theta|| = "
                  f"{(gvec - ref).norm().item() / ref.norm().item():.1e}", flush=True)


def bench_train(base, n, dev, a):
    gen = torch.Generator().manual_seed(5)
    x0, z, t = train_inputs(n, dev, gen)
    mode = jvp_modes()[0]
    m = copy.deepcopy(base).train()
    opt = radam(m, capturable=False)
    ema = [q.detach().clone() for q in m.parameters()]
    eager = timed(lambda: sct_step(m, opt, ema, x0, z, t, mode), dev, a.rounds, 1, a.cap)
    dF = torch.randn(n, 1, 28, 28, generator=gen).to(dev)

    def net():
        F, _ = net_jvp(m, x0, t, z, t, mode)
        F.backward(dF)
    netw = timed(net, dev, a.rounds, 1, a.cap)
    if dev != "cuda":
        gs = "n/a on cpu"
    elif not HAS_CAPTURABLE:
        gs = f"n/a: torch {torch.__version__} has no capturable RAdam"
    else:
        gs, errors = None, []
        for gm in jvp_modes():
            mg = copy.deepcopy(base).train()
            og = radam(mg, capturable=True)
            eg = [q.detach().clone() for q in mg.parameters()]
            try:
                g, loss = graphed(lambda: sct_step(mg, og, eg, x0, z, t, gm))
                g.replay()
                sync(dev)
                if not torch.isfinite(loss).item():
                    raise RuntimeError(f"non-finite loss {loss.item()} after replay")
                gs = f"{fmt(timed(g.replay, dev, a.rounds, 2, a.cap), a.rounds)} ({JVP_NAMES[gm]})"
                break
            except Exception as e:  # report, do not hide, and try the next JVP form
                errors.append(f"{JVP_NAMES[gm]} capture failed: {type(e).__name__}: {str(e).splitlines()[0][:150] if str(e) else ''}")
                torch.cuda.synchronize()
        for e in errors:
            print("  " + e, flush=True)
        gs = gs or "every capture failed"
    print(f"pytorch U-Net sCT step (dropout {a.dropout}, RAdam + EMA) batch {n:5d}: eager {fmt(eager, a.rounds)} ({JVP_NAMES[mode]}) "
          f"| cuda graph {gs} | network only (JVP + backward), eager: {fmt(netw, a.rounds)}", flush=True)
    if a.all_jvp and len(jvp_modes()) > 1:
        other = []
        for om in jvp_modes()[1:]:
            mo = copy.deepcopy(base).train()
            oo = radam(mo, capturable=False)
            eo = [q.detach().clone() for q in mo.parameters()]
            other.append(f"{JVP_NAMES[om]} {fmt(timed(lambda: sct_step(mo, oo, eo, x0, z, t, om), dev, a.rounds, 1, a.cap), a.rounds)}")
        print(f"  the same step eager with the other JVP forms: {' | '.join(other)}", flush=True)


def bench_sample(base, n, dev, a):
    gen = torch.Generator().manual_seed(7)
    m = copy.deepcopy(base).eval()
    z0 = (torch.randn(n, 1, 28, 28, generator=gen) * SIGMA_D).to(dev)
    z1 = (torch.randn(n, 1, 28, 28, generator=gen) * SIGMA_D).to(dev)
    t0 = torch.full((n,), T_MAX, device=dev)
    t1 = torch.full((n,), T_MID, device=dev)
    with torch.no_grad():
        eager = timed(lambda: sample2(m, z0, z1, t0, t1), dev, a.rounds, 1, a.cap)
        if dev != "cuda":
            gs = "n/a on cpu"
        else:
            try:
                g, out = graphed(lambda: sample2(m, z0, z1, t0, t1))
                ref = sample2(m, z0, z1, t0, t1)
                g.replay()
                sync(dev)
                diff = (out - ref).abs().max().item() / ref.abs().max().item()
                gs = f"{fmt(timed(g.replay, dev, a.rounds, 1, a.cap), a.rounds)} | graph vs eager max rel diff {diff:.1e}"
            except Exception as e:
                gs = f"capture failed: {type(e).__name__}: {str(e)[:150]}"
    print(f"pytorch U-Net 2-step per-sample-t batch {n:5d}: eager {fmt(eager, a.rounds)} | cuda graph {gs}", flush=True)


def ints(s):
    return [int(v) for v in s.split(",") if v.strip() and v.strip() != "none"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batches", default="128", help="sCT training batches, comma-separated ('' or none: no training)")
    ap.add_argument("--sample", default="1024,4096", help="2-step sampling batches ('' or none: no sampling)")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--cap", type=float, default=6.0, help="seconds after which a timed loop stops adding rounds")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument("--no-all-jvp", dest="all_jvp", action="store_false", help="time the eager step with the first JVP form only")
    ap.add_argument("--cudnn-benchmark", action="store_true", help="torch.backends.cudnn.benchmark = True (PyTorch's default: off)")
    a = ap.parse_args()
    torch.backends.cudnn.benchmark = a.cudnn_benchmark
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device == "cuda" and not torch.cuda.is_available():
        ap.error("CUDA is not available (use --device cpu for the smoke run)")
    start = time.perf_counter()
    torch.manual_seed(0)
    name = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"pytorch {torch.__version__} | device {name} | float32, tf32 off | JVP forms: "
          f"{', '.join(JVP_NAMES[mo] for mo in jvp_modes())} | RAdam capturable: {'yes' if HAS_CAPTURABLE else 'no'} "
          f"| cudnn.benchmark {'on' if a.cudnn_benchmark else 'off'} | dropout {a.dropout} | rounds {a.rounds}", flush=True)
    base = UNet(p=a.dropout).to(a.device)
    if not a.no_checks:
        checks(base, a.device, a.dropout)
    for n in ints(a.batches):
        bench_train(base, n, a.device, a)
    for n in ints(a.sample):
        bench_sample(base, n, a.device, a)
    print(f"total {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
