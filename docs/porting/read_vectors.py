"""Minimal numpy-only reader of the scm golden vectors, plus an independent numpy implementation of the
shipped MLP F(x~, t), w_phi(t) and the TrigFlow consistency function, checked against the expected tensors with
the manifest's tolerances. Usage: python3 docs/porting/read_vectors.py checkpoints/vectors"""
import json, struct, sys
import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "I32": "<i4"}

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])            # header length, little-endian u64
    header = json.loads(data[8:8 + n])
    buf = data[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(buf[b:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
    return out

def content_sha256_ok(path):
    """The file's content_sha256 (docs/formats.md, "Integrity"): SHA-256 of bytes 8.. of the file as written
    without that entry, i.e. the compact header (metadata first, keys sorted; tensors in offset order), space-padded
    to a multiple of 8, followed by the data buffer."""
    import hashlib
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = dict(header.get("__metadata__", {}))
    recorded = meta.pop("content_sha256")
    items = []
    if meta:
        items.append('"__metadata__":' + json.dumps(dict(sorted(meta.items())), separators=(",", ":"), ensure_ascii=False))
    for name, e in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"]):
        items.append(json.dumps(name, ensure_ascii=False) + ":" + json.dumps(
            {"dtype": e["dtype"], "shape": e["shape"], "data_offsets": e["data_offsets"]}, separators=(",", ":")))
    text = ("{" + ",".join(items) + "}").encode("utf-8")
    text += b" " * (-len(text) % 8)
    return hashlib.sha256(text + data[8 + n:]).hexdigest() == recorded

def silu(x): return x / (1.0 + np.exp(-x))

def linear(W, prefix, x): return x @ W[prefix + ".weight"].T + W[prefix + ".bias"]

def layer_norm(h, eps=1e-5):
    mu = h.mean(-1, keepdims=True)
    var = ((h - mu) ** 2).mean(-1, keepdims=True)        # biased variance
    return (h - mu) / np.sqrt(var + eps)

def pnorm(v, eps=1e-8): return v / np.sqrt((v ** 2).mean(-1, keepdims=True) + eps)

def mlp_F(W, man, x, t):
    """F(x~, t): x~ = x_t / sigma_d, c_noise = t."""
    half = man["network"]["emb_dim"] // 2
    freq = np.exp(-np.arange(half) * np.log(10.0) / (half - 1)).astype(t.dtype)
    a = t[:, None] * freq[None, :]
    c = silu(linear(W, "time.linear", np.concatenate([np.sin(a), np.cos(a)], -1)))
    h = linear(W, "input", x)
    for i in range(man["network"]["depth"]):
        p = f"blocks.{i}"
        adn = layer_norm(h) * pnorm(linear(W, p + ".adn.scale", c)) + pnorm(linear(W, p + ".adn.shift", c))
        h = h + linear(W, p + ".linear", silu(adn))            # dropout disabled (p = 0)
    hn = layer_norm(h) * W["out.norm.weight"] + W["out.norm.bias"]
    return linear(W, "out.linear", silu(hn))

def weight_head(W, t):
    e = np.sqrt(2.0) * np.cos(2 * np.pi * (t[:, None] * W["weight_head.fourier.frequencies"][None, :]
                                          + W["weight_head.fourier.phases"][None, :]))
    return linear(W, "weight_head.linear", e)[:, 0]

def check(man, E, name, got, precision="f64"):
    tol = next(e for e in man["tensors"] if e["name"] == name)["tolerance"][precision]
    exp = E[name]
    err = np.abs(got - exp)
    ok = bool(np.all((got == exp) | (err <= tol["abs"] + tol["rel"] * np.abs(exp))))
    print(f"{name:12s} max_abs={err.max():.3e}  tol(abs={tol['abs']:.0e}, rel={tol['rel']:.0e})  {'PASS' if ok else 'FAIL'}")
    return ok

if __name__ == "__main__":
    d = sys.argv[1] if len(sys.argv) > 1 else "checkpoints/vectors"
    man = json.load(open(f"{d}/manifest.json"))
    W = read_safetensors(f"{d}/{man['files']['weights']}")
    I = read_safetensors(f"{d}/{man['files']['inputs']}")
    E = read_safetensors(f"{d}/{man['files']['expected']}")
    print(f"{len(W)} weights, {len(I)} inputs, {len(E)} expected tensors")
    for f in ("weights", "inputs", "expected"):
        good = content_sha256_ok(f"{d}/{man['files'][f]}")
        print(f"{man['files'][f]:28s} content_sha256 {'verified' if good else 'MISMATCH'}")
        if not good: sys.exit(1)
    sd, t, x0, z = man["sigma_d"], I["t"], I["x0"], I["z"]
    c, s = np.cos(t)[:, None], np.sin(t)[:, None]
    xt = c * x0 + s * z
    F = mlp_F(W, man, I["xt"] / sd, t)
    ok = all([check(man, E, "trigflow.xt", xt),
              check(man, E, "net.F", F),
              check(man, E, "net.w", weight_head(W, t)),
              check(man, E, "cm.f", c * I["xt"] - s * sd * F)])
    # float32 port: same formulas on float32 arrays (times' trig in float64, as porting.md advises)
    W32 = {k: v.astype(np.float32) for k, v in W.items()}
    F32 = mlp_F(W32, man, (I["xt"] / sd).astype(np.float32), t.astype(np.float32))
    ok &= check(man, E, "net.F", F32.astype(np.float64), "f32")
    sys.exit(0 if ok else 1)
