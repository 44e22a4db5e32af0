#!/usr/bin/env python3
"""PyTorch peer of the scm JVM backend: the same MLP (D = 64, width 256, 5 residual blocks with adaptive double
normalisation, 64-dim positional time embedding, dropout 0.2, LayerNorm + SiLU + Linear out, the 128-feature Fourier
adaptive-weight head), timed on what a PyTorch user would write:

  sct128, sct1024  one sCT step [sCM Alg. 1]: F- and J = dF/dt-tangent by forward-mode AD (torch.autograd.forward_ad)
                   without grad, the normalised tangent g (c = 0.1, r = 0.5), a second forward with grad, the adaptive
                   weighted loss e^w/D ||F - F- - g||^2 - w, backward, torch.optim.RAdam step;
  sample4096       2-step consistency sampling (t_max = arctan(160), t_mid = 1.1) under torch.no_grad(), eval mode,
                   the time path (embedding, conditioning, per-block scale/shift) computed once per call for the
                   shared time and broadcast.

Usage: python3 bench/peers/torch_mlp.py [--rounds N] [--threads 2] [--warmup N]. Prints "torch <workload> <median ms>" lines.
Run with OMP_WAIT_POLICY=PASSIVE (bench/peers/compare.sh does) so idle OpenMP threads do not spin against the JVM.
"""
import argparse
import math
import statistics
import time

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as fn

SIGMA_D = 0.5


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + 1e-8)


class AdaptiveDoubleNorm(nn.Module):
    """y = LN(x) * pnorm(scale(c)) + pnorm(shift(c)) [sCM Sec. 4.1]."""

    def __init__(self, width, cond):
        super().__init__()
        self.scale, self.shift, self.pn = nn.Linear(cond, width), nn.Linear(cond, width), PixelNorm()

    def modulation(self, c):
        return self.pn(self.scale(c)), self.pn(self.shift(c))

    def forward(self, x, mod):
        s, b = mod
        return fn.layer_norm(x, x.shape[-1:]) * s + b


class Block(nn.Module):
    def __init__(self, width, cond, p):
        super().__init__()
        self.adn, self.drop, self.linear = AdaptiveDoubleNorm(width, cond), nn.Dropout(p), nn.Linear(width, width)

    def forward(self, h, mod):
        return h + self.linear(self.drop(fn.silu(self.adn(h, mod))))


class Mlp(nn.Module):
    def __init__(self, dim=64, width=256, depth=5, emb=64, p=0.2):
        super().__init__()
        half = emb // 2
        self.register_buffer("freq", torch.exp(-torch.arange(half) * math.log(10.0) / (half - 1)))
        self.time = nn.Linear(emb, emb)
        self.input = nn.Linear(dim, width)
        self.blocks = nn.ModuleList(Block(width, emb, p) for _ in range(depth))
        self.norm, self.out = nn.LayerNorm(width), nn.Linear(width, dim)
        self.head_freq = nn.Parameter(torch.randn(128), requires_grad=False)
        self.head_phase = nn.Parameter(torch.rand(128), requires_grad=False)
        self.head = nn.Linear(128, 1)

    def time_path(self, t):
        a = t[:, None] * self.freq[None, :]
        c = fn.silu(self.time(torch.cat([a.sin(), a.cos()], dim=-1)))
        return [b.adn.modulation(c) for b in self.blocks]

    def forward(self, x, t, mods=None):
        mods = self.time_path(t) if mods is None else mods
        h = self.input(x)
        for b, m in zip(self.blocks, mods):
            h = b(h, m)
        return self.out(fn.silu(self.norm(h)))

    def weight(self, t):
        return self.head(torch.cos(2 * math.pi * (t[:, None] * self.head_freq[None, :] + self.head_phase[None, :]))).squeeze(-1)


def sct_step(net, opt, x0, z, t, r=0.5, c=0.1):
    cs = (t.cos() * t.sin())[:, None]
    cos, sin = t.cos()[:, None], t.sin()[:, None]
    xt = cos * x0 + sin * z
    dxdt = cos * z - sin * x0
    with torch.no_grad(), fwAD.dual_level():
        out = net(fwAD.make_dual(xt / SIGMA_D, cs * dxdt), fwAD.make_dual(t, (cs * SIGMA_D).squeeze(-1)))
        f_minus, jvp = fwAD.unpack_dual(out)
    g = -cos ** 2 * (SIGMA_D * f_minus - dxdt) - r * (cs * xt + jvp)
    g = g / (g.norm(dim=1, keepdim=True) + c)
    f = net(xt / SIGMA_D, t)
    w = net.weight(t)
    d = x0.shape[1]
    loss = (torch.exp(w) / d * (f - f_minus - g).pow(2).sum(dim=1) - w).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


def two_step(net, z1, z2, t_max, t_mid):
    with torch.no_grad():
        n = z1.shape[0]

        def f(x, t):  # consistency function f(x_t, t) = cos t x_t - sin t sigma_d F(x_t / sigma_d, t)
            tt = torch.full((1,), t)
            mods = [(s.expand(n, -1), b.expand(n, -1)) for s, b in net.time_path(tt)]
            return math.cos(t) * x - math.sin(t) * SIGMA_D * net(x / SIGMA_D, tt.expand(n), mods)

        x = f(z1, t_max)
        return f(math.cos(t_mid) * x + math.sin(t_mid) * z2, t_mid)


def timed(fn_, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        fn_()
    return (time.perf_counter() - t0) * 1e3 / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=-1, help="untimed calls per workload (default 5 steps, 3 sampling calls)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = Mlp()
    opt = torch.optim.RAdam(net.parameters(), lr=1e-4, betas=(0.9, 0.99), eps=1e-8)
    for n in (128, 1024):
        x0, z = 0.5 * torch.randn(n, 64), SIGMA_D * torch.randn(n, 64)
        t = torch.atan(torch.exp(-1.0 + 1.4 * torch.randn(n)) / SIGMA_D)
        net.train()
        for _ in range(5 if a.warmup < 0 else a.warmup):
            sct_step(net, opt, x0, z, t)
        ms = [timed(lambda: sct_step(net, opt, x0, z, t), 1) for _ in range(a.rounds)]
        print(f"torch sct{n} {statistics.median(ms):.3f}", flush=True)
    net.eval()
    n = 4096
    z1, z2 = SIGMA_D * torch.randn(n, 64), SIGMA_D * torch.randn(n, 64)
    t_max = math.atan(80 / SIGMA_D)
    for _ in range(3 if a.warmup < 0 else a.warmup):
        two_step(net, z1, z2, t_max, 1.1)
    ms = [timed(lambda: two_step(net, z1, z2, t_max, 1.1), 1) for _ in range(a.rounds)]
    print(f"torch sample{n} {statistics.median(ms):.3f}", flush=True)
    print(f"torch info threads={torch.get_num_threads()} version={torch.__version__}", flush=True)


if __name__ == "__main__":
    main()
