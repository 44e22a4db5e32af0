#!/usr/bin/env python3
"""PyTorch CUDA peer of the digits MLP (scm.ref.model.MlpModel / scm.accel.model.MlpModelF32) for docs/gpu.md.

Same architecture, same float32 arithmetic, random weights (timing only):
  c = SiLU(time.linear(pos_emb(t)))            pos_emb(t) = [sin(f_k t) | cos(f_k t)], f_k = exp(-k ln(10)/(h-1)), h = emb/2
  h = input(x / sigma_d)                        Linear D -> width
  h = h + blocks.i.linear(Dropout(SiLU(LN(h) * pnorm(scale(c)) + pnorm(shift(c)))))   i = 0..depth-1 (LN without affine)
  F = out.linear(SiLU(out.norm(h)))             LayerNorm with affine
  f(x, t) = cos t x - sigma_d sin t F(x / sigma_d, t)
pnorm(v) = v / sqrt(mean(v^2) + 1e-8); LayerNorm eps 1e-5. TF32 is off (float32 like the Java engines).

Workloads (medians over --rounds; each round times --inner calls and divides):
  sample : 2-step consistency sampling x0 = f(z0, t_max); x = f(cos tau x0 + sin tau z1, tau), per-sample times
           (the reference's contract) -- eager and as one CUDA graph, with the noise resident on the GPU and, as a
           host-side sampler needs, with the noise copied in from host memory and the samples copied out;
  sample-shared : the same with the time conditioning computed once per step for the whole batch (what
           scm.accel.tornado.TornadoSamplerGraph does: all samples of a step share t) -- eager and CUDA graph;
  train  : one sCT step as SctStepF32: x_t, dx_t/dt, one forward-mode JVP (torch.autograd.forward_ad) whose primal
           keeps the autograd graph, tangent g normalised, adaptive-weight loss (Fourier head, 128 features),
           backward, RAdam, EMA of the weights; dropout 0 (the digits sCT run's setting, what scm.accel.tornado.TornadoSctStepGraph
           implements) -- eager and as one CUDA graph (capturable optimizer); with --scd also the sCD step, whose
           dx_t/dt is sigma_d F_teacher(x_t / sigma_d, t) from a random teacher of the same shape (eval mode, no_grad).
Usage: python3 mlp_peer.py [--batches 1,4096] [--train 128,1024] [--scd] [--rounds 20]
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as Fn

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
SIGMA_D = 0.5
T_MAX = math.atan(80.0 / SIGMA_D)   # TrigFlow.tMax(): arctan(sigma_max / sigma_d), sigma_max = 80
T_MID = 1.1


def pnorm(v):
    return v * torch.rsqrt(v.pow(2).mean(dim=-1, keepdim=True) + 1e-8)


class Block(nn.Module):
    def __init__(self, w, e, p):
        super().__init__()
        self.scale, self.shift, self.linear = nn.Linear(e, w), nn.Linear(e, w), nn.Linear(w, w)
        self.w, self.drop = w, nn.Dropout(p)

    def forward(self, h, c):
        a = Fn.layer_norm(h, (self.w,), eps=1e-5) * pnorm(self.scale(c)) + pnorm(self.shift(c))
        return h + self.linear(self.drop(Fn.silu(a)))


class Mlp(nn.Module):
    def __init__(self, d=64, w=256, depth=5, e=64, p=0.2):
        super().__init__()
        h = e // 2
        self.register_buffer("freq", torch.exp(-torch.arange(h) * math.log(10.0) / (h - 1)))
        self.time_linear, self.input = nn.Linear(e, e), nn.Linear(d, w)
        self.blocks = nn.ModuleList([Block(w, e, p) for _ in range(depth)])
        self.out_norm, self.out_linear = nn.LayerNorm(w, eps=1e-5), nn.Linear(w, d)
        self.head_freq = nn.Parameter(torch.randn(128), requires_grad=False)   # adaptive weight head: Fourier features + Linear(128, 1)
        self.head_phase = nn.Parameter(torch.rand(128), requires_grad=False)
        self.head = nn.Linear(128, 1)

    def cond(self, t):
        a = t[:, None] * self.freq[None, :]
        return Fn.silu(self.time_linear(torch.cat([torch.sin(a), torch.cos(a)], dim=1)))

    def net(self, xs, c):
        h = self.input(xs)
        for b in self.blocks:
            h = b(h, c)
        return self.out_linear(Fn.silu(self.out_norm(h)))

    def forward(self, xs, t):
        return self.net(xs, self.cond(t))

    def weight(self, t):
        return self.head(math.sqrt(2) * torch.cos(2 * math.pi * (t[:, None] * self.head_freq + self.head_phase)))[:, 0]


def f(model, x, t, shared):
    """Consistency function; shared: t is a 1-element tensor used for the whole batch."""
    if shared:
        F = model.net(x / SIGMA_D, model.cond(t))   # c is [1, e], broadcast by the Linears to [1, w] then to [n, w]
        return torch.cos(t)[0] * x - SIGMA_D * torch.sin(t)[0] * F
    return torch.cos(t)[:, None] * x - SIGMA_D * torch.sin(t)[:, None] * model(x / SIGMA_D, t)


def sample2(model, z0, z1, t0, t1, shared):
    x = f(model, z0, t0, shared)
    if shared:
        x = torch.cos(t1)[0] * x + torch.sin(t1)[0] * z1
    else:
        x = torch.cos(t1)[:, None] * x + torch.sin(t1)[:, None] * z1
    return f(model, x, t1, shared)


def timed(fn, rounds, inner):
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        torch.cuda.synchronize()
        ts.append((time.perf_counter() - t0) * 1e3 / inner)
    return statistics.median(ts)


def graphed(fn):
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        out = fn()
    return g, out


def bench_sample(model, n, rounds, shared):
    dev = "cuda"
    z0 = torch.randn(n, 64, device=dev) * SIGMA_D
    z1 = torch.randn(n, 64, device=dev) * SIGMA_D
    m = 1 if shared else n
    t0 = torch.full((m,), T_MAX, device=dev)
    t1 = torch.full((m,), T_MID, device=dev)
    inner = max(1, 64 // n)   # eager at batch 1 is ~3 ms a call: 64 calls per round keep a round short
    with torch.no_grad():
        eager = timed(lambda: sample2(model, z0, z1, t0, t1, shared), rounds, inner)
        g, out = graphed(lambda: sample2(model, z0, z1, t0, t1, shared))
        ref = sample2(model, z0, z1, t0, t1, shared)
        g.replay()
        torch.cuda.synchronize()
        diff = (out - ref).abs().max().item() / ref.abs().max().item()
        graph = timed(g.replay, rounds, inner * 4)
        # the same with the noise copied in from host memory and the samples copied out, as a host-side sampler does
        h0, h1 = z0.cpu(), z1.cpu()
        eager_io = timed(lambda: sample2(model, h0.cuda(), h1.cuda(), t0, t1, shared).cpu(), rounds, inner)

        def graph_io():
            z0.copy_(h0)
            z1.copy_(h1)
            g.replay()
            return out.cpu()
        graph_io_ms = timed(graph_io, rounds, inner)
    name = "2-step shared-t" if shared else "2-step per-sample-t"
    print(f"pytorch {name:20s} batch {n:5d}: eager {eager:8.3f} ms | cuda graph {graph:8.3f} ms | graph vs eager max rel diff {diff:.1e}"
          f" | with host copies in/out: eager {eager_io:8.3f} ms, cuda graph {graph_io_ms:8.3f} ms", flush=True)


def sct_step(model, opt, x0, z, t, ema=None, r=0.5, c=0.1, ema_beta=0.999, teacher=None):
    D = x0.shape[1]
    ct, st = torch.cos(t)[:, None], torch.sin(t)[:, None]
    xt = ct * x0 + st * z
    if teacher is None:
        dxdt = ct * z - st * x0
    else:   # sCD: the teacher's PF-ODE velocity sigma_d F_teacher(x_t / sigma_d, t), eval mode, no gradient
        with torch.no_grad():
            dxdt = SIGMA_D * teacher(xt / SIGMA_D, t)
    cs = ct * st
    import torch.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        xs = fwAD.make_dual(xt / SIGMA_D, cs * dxdt)
        td = fwAD.make_dual(t, (cs * SIGMA_D)[:, 0])
        out = model(xs, td)
        F, J = fwAD.unpack_dual(out)
    Fm, J = F.detach(), J.detach()
    g = -ct * ct * (SIGMA_D * Fm - dxdt) - r * (cs * xt + J)
    g = g / (g.norm(dim=1, keepdim=True) + c)
    w = model.weight(t)
    loss = (torch.exp(w) / D * (F - Fm - g).pow(2).sum(dim=1) - w).mean()
    opt.zero_grad(set_to_none=False)
    loss.backward()
    opt.step()
    if ema is not None:   # e <- beta e + (1 - beta) p, as scm.accel.optim.EmaF32 (and TornadoSctStepGraph's last task)
        with torch.no_grad():
            torch._foreach_lerp_(ema, list(model.parameters()), 1.0 - ema_beta)
    return loss.detach()


def bench_train(model, n, rounds, teacher=None):
    dev = "cuda"
    model.train()
    opt = torch.optim.RAdam(model.parameters(), lr=1e-4, betas=(0.9, 0.99), eps=1e-8, capturable=True)
    x0 = torch.randn(n, 64, device=dev) * 0.5
    z = torch.randn(n, 64, device=dev) * SIGMA_D
    t = torch.atan(torch.exp(-1.0 + 1.4 * torch.randn(n, device=dev)) / SIGMA_D)
    ema = [p.detach().clone() for p in model.parameters()]
    eager = timed(lambda: sct_step(model, opt, x0, z, t, ema, teacher=teacher), rounds, 1)
    try:
        g, loss = graphed(lambda: sct_step(model, opt, x0, z, t, ema, teacher=teacher))
        graph = timed(g.replay, rounds, 4)
        gs = f"{graph:8.3f} ms"
    except Exception as e:  # report, do not hide
        gs = f"capture failed: {type(e).__name__}: {str(e)[:120]}"
    what = "sCT" if teacher is None else "sCD"
    print(f"pytorch {what} step (dropout 0, RAdam + EMA) batch {n:5d}: eager {eager:8.3f} ms | cuda graph {gs}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="1,4096")
    ap.add_argument("--train", default="")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--scd", action="store_true", help="also the sCD step (a random teacher of the same shape, eval mode)")
    a = ap.parse_args()
    torch.manual_seed(0)
    print(f"pytorch {torch.__version__} | device {torch.cuda.get_device_name(0)} | tf32 off", flush=True)
    model = Mlp().cuda().eval()
    for n in [int(s) for s in a.batches.split(",") if s]:
        bench_sample(model, n, a.rounds, shared=False)
        bench_sample(model, n, a.rounds, shared=True)
    for n in [int(s) for s in a.train.split(",") if s]:
        bench_train(Mlp(p=0.0).cuda(), n, a.rounds)   # dropout 0: the digits sCT run's setting, and TornadoSctStepGraph's
        if a.scd:
            bench_train(Mlp(p=0.0).cuda(), n, a.rounds, teacher=Mlp(p=0.0).cuda().eval())


if __name__ == "__main__":
    main()
