#!/usr/bin/python3
"""Plain-PyTorch UNet2DConditionModel, to time the Java (DJL) UNet against PyTorch on one machine.

A minimal re-implementation of diffusers' UNet2DConditionModel forward, restricted to the options
that models/shapes-base and testdata/sd-tiny use (diffusers is not installed here). Module names
follow diffusers' state-dict names, so a diffusers safetensors file loads with strict key matching.

  --check  parity with the diffusers reference of testdata/sd-tiny, and a strict load of shapes-base
  --time   forward, and forward + backward to the input, of the shapes-base UNet
"""
import argparse
import json
import math
import statistics
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO = Path(__file__).resolve().parents[2]
SD_TINY = REPO / "testdata/sd-tiny/unet"
SHAPES_BASE = REPO / "models/shapes-base/unet"


# ---------------------------------------------------------------- safetensors

_NUMPY_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}


def read_safetensors(path):
    """{name: float32 torch tensor} of a safetensors file, read with numpy only."""
    data = Path(path).read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    header.pop("__metadata__", None)
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = data[base + start:base + end]
        if info["dtype"] == "BF16":
            # bfloat16 is the upper half of a float32
            array = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] in _NUMPY_DTYPES:
            array = np.frombuffer(raw, _NUMPY_DTYPES[info["dtype"]]).astype(np.float32)
        else:
            raise ValueError(f"{name}: unsupported dtype {info['dtype']}")
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]))
    return tensors


# ---------------------------------------------------------------- building blocks

class Timesteps(nn.Module):
    """Sinusoidal timestep features, as diffusers' get_timestep_embedding."""

    def __init__(self, dim, flip_sin_to_cos, freq_shift):
        super().__init__()
        self.dim, self.flip, self.shift = dim, flip_sin_to_cos, freq_shift

    def forward(self, t):
        half = self.dim // 2
        exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - self.shift)
        emb = t[:, None].float() * torch.exp(exponent)[None, :]
        emb = torch.cat([emb.sin(), emb.cos()], dim=-1)
        if self.flip:
            emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
        return F.pad(emb, (0, self.dim % 2))


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.linear_1 = nn.Linear(cin, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb_dim, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_dim):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(kv_dim, dim, bias=False)
        self.to_v = nn.Linear(kv_dim, dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim)])  # diffusers' to_out.1 is a dropout

    def forward(self, x, context):
        b, n, c = x.shape
        d = c // self.heads

        def split(t):  # [b, len, c] -> [b, heads, len, d]
            return t.reshape(b, -1, self.heads, d).transpose(1, 2)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        # torch 1.13 has no scaled_dot_product_attention; this is its math
        weights = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
        return self.to_out[0]((weights @ v).transpose(1, 2).reshape(b, n, c))


class GEGLU(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.proj = nn.Linear(cin, cout * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        # net.1 is a dropout in diffusers: identity keeps net.2's index
        self.net = nn.ModuleList([GEGLU(dim, dim * 4), nn.Identity(), nn.Linear(dim * 4, dim)])

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, context_dim, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps)
        self.attn1 = Attention(dim, heads, dim)
        self.norm2 = nn.LayerNorm(dim, eps)
        self.attn2 = Attention(dim, heads, context_dim)
        self.norm3 = nn.LayerNorm(dim, eps)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        h = self.norm1(x)
        x = x + self.attn1(h, h)
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class Transformer2DModel(nn.Module):
    def __init__(self, channels, heads, context_dim, groups, linear_projection, layers):
        super().__init__()
        self.linear = linear_projection
        self.norm = nn.GroupNorm(groups, channels, 1e-6)  # diffusers' fixed eps here
        proj = (lambda: nn.Linear(channels, channels)) if linear_projection else \
            (lambda: nn.Conv2d(channels, channels, 1))
        self.proj_in = proj()
        self.transformer_blocks = nn.ModuleList(
            BasicTransformerBlock(channels, heads, context_dim, 1e-5) for _ in range(layers))
        self.proj_out = proj()

    def forward(self, x, context):
        b, c, hgt, wid = x.shape
        h = self.norm(x)
        if not self.linear:
            h = self.proj_in(h)
        h = h.permute(0, 2, 3, 1).reshape(b, hgt * wid, c)
        if self.linear:
            h = self.proj_in(h)
        for block in self.transformer_blocks:
            h = block(h, context)
        if self.linear:
            h = self.proj_out(h)
        h = h.reshape(b, hgt, wid, c).permute(0, 3, 1, 2)
        if not self.linear:
            h = self.proj_out(h)
        return x + h


class Downsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x, size):
        return self.conv(F.interpolate(x, size=size, mode="nearest"))


class DownBlock(nn.Module):
    """DownBlock2D, or CrossAttnDownBlock2D when `attn` holds the Transformer2DModel settings."""

    def __init__(self, cin, cout, layers, temb_dim, groups, eps, downsample, attn):
        super().__init__()
        self.resnets = nn.ModuleList(
            ResnetBlock2D(cin if i == 0 else cout, cout, temb_dim, groups, eps) for i in range(layers))
        if attn is not None:
            self.attentions = nn.ModuleList(Transformer2DModel(cout, groups=groups, **attn) for _ in range(layers))
        if downsample:
            self.downsamplers = nn.ModuleList([Downsample2D(cout)])

    def forward(self, x, temb, context):
        skips = []
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if hasattr(self, "attentions"):
                x = self.attentions[i](x, context)
            skips.append(x)
        if hasattr(self, "downsamplers"):
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UpBlock(nn.Module):
    """UpBlock2D, or CrossAttnUpBlock2D when `attn` holds the Transformer2DModel settings."""

    def __init__(self, cin, cout, prev, layers, temb_dim, groups, eps, upsample, attn):
        super().__init__()
        # resnet i takes the previous output and the skip of the matching down-block layer
        self.resnets = nn.ModuleList(
            ResnetBlock2D((prev if i == 0 else cout) + (cin if i == layers - 1 else cout), cout, temb_dim, groups, eps)
            for i in range(layers))
        if attn is not None:
            self.attentions = nn.ModuleList(Transformer2DModel(cout, groups=groups, **attn) for _ in range(layers))
        if upsample:
            self.upsamplers = nn.ModuleList([Upsample2D(cout)])

    def forward(self, x, skips, temb, context, upsample_size):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips.pop()], dim=1), temb)
            if hasattr(self, "attentions"):
                x = self.attentions[i](x, context)
        if hasattr(self, "upsamplers"):
            x = self.upsamplers[0](x, upsample_size)
        return x


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, channels, temb_dim, groups, eps, attn):
        super().__init__()
        self.resnets = nn.ModuleList(ResnetBlock2D(channels, channels, temb_dim, groups, eps) for _ in range(2))
        self.attentions = nn.ModuleList([Transformer2DModel(channels, groups=groups, **attn)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        return self.resnets[1](self.attentions[0](x, context), temb)


# ---------------------------------------------------------------- the UNet

# config values this implementation assumes; anything else would be silently computed wrong
_REQUIRED = {
    "act_fn": "silu", "center_input_sample": False, "downsample_padding": 1, "mid_block_scale_factor": 1,
    "mid_block_type": "UNetMidBlock2DCrossAttn", "upcast_attention": False,
    "addition_embed_type": None, "class_embed_type": None, "num_class_embeds": None, "encoder_hid_dim_type": None,
    "time_embedding_type": "positional", "time_embedding_dim": None, "time_cond_proj_dim": None,
    "resnet_time_scale_shift": "default", "resnet_out_scale_factor": 1.0, "only_cross_attention": False,
    "dual_cross_attention": False, "conv_in_kernel": 3, "conv_out_kernel": 3, "attention_type": "default",
    "num_attention_heads": None, "cross_attention_norm": None, "timestep_post_act": None,
    "time_embedding_act_fn": None, "reverse_transformer_layers_per_block": None,
}


# diffusers' defaults for the keys a config may leave out (the real-model-shapes configs list only
# what differs from them)
_DEFAULTS = {"use_linear_projection": False, "transformer_layers_per_block": 1}


class UNet2DConditionModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        cfg = {**_DEFAULTS, **cfg}
        bad = {k: cfg[k] for k, v in _REQUIRED.items() if k in cfg and cfg[k] != v}
        if bad:
            raise ValueError(f"unsupported UNet config values: {bad}")
        channels = cfg["block_out_channels"]
        n = len(channels)
        groups, eps, layers = cfg["norm_num_groups"], cfg["norm_eps"], cfg["layers_per_block"]
        # diffusers (for backward compatibility) reads attention_head_dim as the number of heads
        heads = cfg["attention_head_dim"]
        heads = heads if isinstance(heads, list) else [heads] * n

        def attn(num_heads):
            return dict(heads=num_heads, context_dim=cfg["cross_attention_dim"],
                        linear_projection=cfg["use_linear_projection"], layers=cfg["transformer_layers_per_block"])

        def cross(block_type, plain):
            if block_type not in (plain, "CrossAttn" + plain):
                raise ValueError(f"unsupported block type {block_type}")
            return block_type != plain

        temb_dim = channels[0] * 4
        self.conv_in = nn.Conv2d(cfg["in_channels"], channels[0], 3, padding=1)
        self.time_proj = Timesteps(channels[0], cfg["flip_sin_to_cos"], cfg["freq_shift"])
        self.time_embedding = TimestepEmbedding(channels[0], temb_dim)

        self.down_blocks = nn.ModuleList()
        for i, block_type in enumerate(cfg["down_block_types"]):
            self.down_blocks.append(DownBlock(
                channels[max(i - 1, 0)], channels[i], layers, temb_dim, groups, eps, downsample=i < n - 1,
                attn=attn(heads[i]) if cross(block_type, "DownBlock2D") else None))
        self.mid_block = UNetMidBlock2DCrossAttn(channels[-1], temb_dim, groups, eps, attn(heads[-1]))

        rev, rev_heads = channels[::-1], heads[::-1]
        self.up_blocks = nn.ModuleList()
        for i, block_type in enumerate(cfg["up_block_types"]):
            self.up_blocks.append(UpBlock(
                rev[min(i + 1, n - 1)], rev[i], rev[max(i - 1, 0)], layers + 1, temb_dim, groups, eps,
                upsample=i < n - 1, attn=attn(rev_heads[i]) if cross(block_type, "UpBlock2D") else None))

        self.conv_norm_out = nn.GroupNorm(groups, channels[0], eps)
        self.conv_out = nn.Conv2d(channels[0], cfg["out_channels"], 3, padding=1)

    def forward(self, sample, timestep, context, trace=None):
        """The predicted noise; `trace`, if a dict, receives the outputs named as the reference's intermediates."""
        record = trace.__setitem__ if trace is not None else (lambda name, value: None)
        temb = self.time_embedding(self.time_proj(timestep.expand(sample.shape[0])))
        record("time_embedding", temb)
        x = self.conv_in(sample)
        record("conv_in", x)
        skips = [x]
        for i, block in enumerate(self.down_blocks):
            x, block_skips = block(x, temb, context)
            skips += block_skips
            record(f"down_blocks.{i}", x)
        x = self.mid_block(x, temb, context)
        record("mid_block", x)
        for i, block in enumerate(self.up_blocks):
            layers = len(block.resnets)
            # upsample to the resolution of the next block's skips (as diffusers, for odd sizes too)
            size = skips[-layers - 1].shape[-2:] if len(skips) > layers else None
            x = block(x, skips, temb, context, size)
            record(f"up_blocks.{i}", x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


def load_unet(folder):
    """The UNet of a diffusers folder, its weights loaded strictly (every key used, none missing)."""
    unet = UNet2DConditionModel(json.loads((folder / "config.json").read_text()))
    weights = read_safetensors(folder / "diffusion_pytorch_model.safetensors")
    unet.load_state_dict(weights, strict=True)  # raises on a missing, unexpected or mis-shaped tensor
    return unet.eval().requires_grad_(False), len(weights)


# ---------------------------------------------------------------- modes

def check(tolerance):
    unet, count = load_unet(SD_TINY)
    print(f"sd-tiny: {count} tensors loaded strictly")
    ref = read_safetensors(SD_TINY / "reference.safetensors")
    trace = {}
    with torch.no_grad():
        out = unet(ref["sample"], ref["timestep"], ref["encoder_hidden_states"], trace)
    # in forward order; the intermediates locate where a mismatch begins
    compared = [(f"intermediate.{name}", value) for name, value in trace.items()] + [("out", out)]
    worst = 0.0
    for name, actual in compared:
        expected = ref[name]
        diff = (actual - expected).abs().max().item()
        scale = expected.abs().max().item()
        worst = max(worst, diff / scale)
        print(f"  {name:34s} max|diff| {diff:.3e}   max|ref| {scale:.3e}   rel {diff / scale:.2e}")
    _, count = load_unet(SHAPES_BASE)
    print(f"shapes-base: {count} tensors loaded strictly")
    ok = worst <= tolerance
    print(f"parity {'OK' if ok else 'FAILED'}: worst relative difference {worst:.2e} (tolerance {tolerance:.0e})")
    return ok


def _time_ms(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def forward_flops(model, batch=None):
    """Floating-point operations of one forward of a UNet folder at its sample_size (batch 1 and 77 tokens
    by default), as torch.profiler counts them: convolutions and matrix products, the bulk of the work."""
    from torch.profiler import ProfilerActivity, profile
    torch.manual_seed(0)
    folder = Path(model)
    unet, _ = load_unet(folder)
    config = json.loads((folder / "config.json").read_text())
    batch = batch or 1
    size = config["sample_size"]
    sample = torch.randn(batch, config["in_channels"], size, size)
    context = torch.randn(batch, 77, config["cross_attention_dim"])
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        unet(sample, torch.full((batch,), 500.0), context)
    total = sum(event.flops for event in prof.key_averages())
    print(f"forward of {folder} at batch {batch}, latents {size}x{size}: {total / 1e9:.1f} GFLOP")
    print(json.dumps({"model": str(folder), "batch": batch, "latent": size, "forward_flops": total}))


def benchmark(threads, repeats, model=None, batch=None, tokens=None, warmup=3):
    """Times a UNet folder (default shapes-base at batch 16 with 16 tokens; another folder at batch 1
    with 77 tokens, its config's sample_size) without a graph, and forward + backward to the input."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    folder = Path(model) if model else SHAPES_BASE
    unet, _ = load_unet(folder)
    config = json.loads((folder / "config.json").read_text())
    batch = batch or (16 if model is None else 1)
    tokens = tokens or (16 if model is None else 77)
    size = config["sample_size"]
    sample = torch.randn(batch, config["in_channels"], size, size)
    context = torch.randn(batch, tokens, config["cross_attention_dim"])
    timestep = torch.full((batch,), 500.0)

    def forward():
        with torch.no_grad():
            unet(sample, timestep, context)

    def forward_backward():
        x = sample.clone().requires_grad_(True)
        unet(x, timestep, context).square().mean().backward()

    results = {}
    for mode, fn in (("forward", forward), ("forward_backward", forward_backward)):
        median, best = _time_ms(fn, warmup, repeats)
        results[mode] = {"median_ms": round(median, 3), "min_ms": round(best, 3)}
        print(f"{mode:17s} median {median:9.2f} ms   min {best:9.2f} ms   ({repeats} repeats, {warmup} warm-up)")
    print(json.dumps({"model": str(folder), "batch": batch, "latent": size, "tokens": tokens, "torch": torch.__version__,
                      "threads": threads, "repeats": repeats, "warmup": warmup, **results}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="parity with the diffusers reference of sd-tiny")
    parser.add_argument("--time", action="store_true", help="time the shapes-base UNet")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads for --time")
    parser.add_argument("--repeats", type=int, default=20, help="timed iterations per mode for --time")
    parser.add_argument("--tolerance", type=float, default=1e-5, help="--check's bound on max|diff| / max|ref|")
    parser.add_argument("--model", help="--time this diffusers unet folder instead of shapes-base (batch 1, 77 tokens)")
    parser.add_argument("--batch", type=int, help="--time's batch")
    parser.add_argument("--warmup", type=int, default=3, help="--time's untimed iterations per mode")
    parser.add_argument("--flops", action="store_true", help="count the floating-point operations of one --model forward")
    args = parser.parse_args()
    if not (args.check or args.time or args.flops):
        parser.error("give --check, --time and/or --flops")
    if args.flops and not args.model:
        parser.error("--flops counts a --model folder")
    if args.check and not check(args.tolerance):
        sys.exit(1)
    if args.time:
        benchmark(args.threads, args.repeats, args.model, args.batch, warmup=args.warmup)
    if args.flops:
        forward_flops(args.model, args.batch)


if __name__ == "__main__":
    main()
