#!/usr/bin/python3
"""Plain-PyTorch ImageReward-v1.0 and HPSv2 (open_clip ViT-H-14) scorers, to time the Java (DJL) reward
models against PyTorch on one machine.

Minimal re-implementations of the forward passes the rewards run (ImageReward's BLIP ViT, its BERT with
cross-attention and MLP head; open_clip's CLIP towers), with module names equal to the upstream state-dict
keys, so the repository's tiny checkpoints load strictly. Neither ImageReward, transformers, timm nor
open_clip is needed: only torch and numpy.

  --check  the tiny models of testdata/imagereward-tiny and testdata/hpsv2-tiny against their upstream references
  --time   the real-size models with random weights: score a batch at 224 px, and score + gradient to the pixels
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
IR_TINY = REPO / "testdata/imagereward-tiny"
HPS_TINY = REPO / "testdata/hpsv2-tiny"
SCORE_MEAN, SCORE_STD = 0.16717362830052426, 1.0333394966054072


def read_safetensors(path):
    """{name: torch tensor} of a safetensors file, floats widened to float32, read with numpy only."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    kinds = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        array = np.frombuffer(data[8 + n + a:8 + n + b], kinds[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(array.astype(np.float32) if info["dtype"] != "I64" else array.copy())
    return out


def attend(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d) + mask) v over (B, heads, N, d)."""
    scores = (q * q.shape[-1] ** -0.5) @ k.transpose(-1, -2)
    if mask is not None:
        scores = scores + mask
    return scores.softmax(-1) @ v


def heads(t, n):
    b, length, d = t.shape
    return t.reshape(b, length, n, d // n).transpose(1, 2)


def merge(t):
    b, n, length, d = t.shape
    return t.transpose(1, 2).reshape(b, length, n * d)


# ---------------------------------------------------------------- ImageReward

class VitAttention(nn.Module):
    def __init__(self, dim, n):
        super().__init__()
        self.n = n
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(merge(attend(heads(q, self.n), heads(k, self.n), heads(v, self.n))))


class VitMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VitBlock(nn.Module):
    def __init__(self, dim, n, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = VitAttention(dim, n)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = VitMlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, patch)


class BlipVit(nn.Module):
    def __init__(self, size, patch, dim, depth, n, hidden):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, (size // patch) ** 2 + 1, dim))
        self.patch_embed = PatchEmbed(patch, dim)
        self.blocks = nn.ModuleList(VitBlock(dim, n, hidden) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, pixels):
        x = self.patch_embed.proj(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


class BertSelf(nn.Module):
    def __init__(self, hidden, context, n):
        super().__init__()
        self.n = n
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(context, hidden)
        self.value = nn.Linear(context, hidden)

    def forward(self, x, context, mask):
        return merge(attend(heads(self.query(x), self.n), heads(self.key(context), self.n),
                            heads(self.value(context), self.n), mask))


class BertResidual(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.dense = nn.Linear(width, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class BertAttention(nn.Module):
    def __init__(self, hidden, context, n):
        super().__init__()
        setattr(self, "self", BertSelf(hidden, context, n))
        self.output = BertResidual(hidden, hidden)

    def forward(self, x, context, mask):
        return self.output(getattr(self, "self")(x, context, mask), x)


class Dense(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.dense = nn.Linear(a, b)


class BertLayer(nn.Module):
    def __init__(self, hidden, image, n, inter):
        super().__init__()
        self.attention = BertAttention(hidden, hidden, n)
        self.crossattention = BertAttention(hidden, image, n)
        self.intermediate = Dense(hidden, inter)
        self.output = BertResidual(inter, hidden)

    def forward(self, x, mask, image):
        h = self.crossattention(self.attention(x, x, mask), image, None)
        return self.output(F.gelu(self.intermediate.dense(h)), h)


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, positions, hidden):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions))


class Layers(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layer = nn.ModuleList(layers)


class Bert(nn.Module):
    def __init__(self, vocab, positions, hidden, depth, n, inter, image):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, positions, hidden)
        self.encoder = Layers(BertLayer(hidden, image, n, inter) for _ in range(depth))

    def forward(self, ids, attention_mask, image):
        mask = ((1.0 - attention_mask.float()) * -10000.0)[:, None, None, :]
        h = self.embeddings(ids)
        for layer in self.encoder.layer:
            h = layer(h, mask, image)
        return h


class Blip(nn.Module):
    def __init__(self, vision, text, embed):
        super().__init__()
        self.visual_encoder = BlipVit(**vision)
        self.text_encoder = Bert(image=vision["dim"], **text)
        self.vision_proj = nn.Linear(vision["dim"], embed)
        self.text_proj = nn.Linear(text["hidden"], embed)


class Mlp(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.layers = nn.ModuleDict({str(i): nn.Linear(widths[k], widths[k + 1]) for k, i in enumerate([0, 2, 4, 6, 7])})

    def forward(self, x):
        for i in ["0", "2", "4", "6", "7"]:
            x = self.layers[i](x)
        return x


class ImageReward(nn.Module):
    def __init__(self, vision, text, embed, widths):
        super().__init__()
        self.blip = Blip(vision, text, embed)
        self.mlp = Mlp(widths)

    def forward(self, pixels, ids, attention_mask):
        image = self.blip.visual_encoder(pixels)
        cls = self.blip.text_encoder(ids, attention_mask, image)[:, 0, :]
        return ((self.mlp(cls) - SCORE_MEAN) / SCORE_STD).squeeze(1)


# ---------------------------------------------------------------- HPSv2 (open_clip)

class ResidualBlock(nn.Module):
    def __init__(self, dim, n):
        super().__init__()
        self.n = n
        self.ln_1 = nn.LayerNorm(dim)
        self.attn = nn.Module()
        self.attn.in_proj_weight = nn.Parameter(torch.zeros(3 * dim, dim))
        self.attn.in_proj_bias = nn.Parameter(torch.zeros(3 * dim))
        self.attn.out_proj = nn.Linear(dim, dim)
        self.ln_2 = nn.LayerNorm(dim)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(dim, 4 * dim)
        self.mlp.c_proj = nn.Linear(4 * dim, dim)

    def forward(self, x, mask):
        q, k, v = F.linear(self.ln_1(x), self.attn.in_proj_weight, self.attn.in_proj_bias).chunk(3, dim=-1)
        x = x + self.attn.out_proj(merge(attend(heads(q, self.n), heads(k, self.n), heads(v, self.n), mask)))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class Transformer(nn.Module):
    def __init__(self, dim, depth, n):
        super().__init__()
        self.resblocks = nn.ModuleList(ResidualBlock(dim, n) for _ in range(depth))

    def forward(self, x, mask=None):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class Visual(nn.Module):
    def __init__(self, size, patch, dim, depth, head_width, embed):
        super().__init__()
        self.conv1 = nn.Conv2d(3, dim, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(dim))
        self.positional_embedding = nn.Parameter(torch.zeros((size // patch) ** 2 + 1, dim))
        self.ln_pre = nn.LayerNorm(dim)
        self.transformer = Transformer(dim, depth, dim // head_width)
        self.ln_post = nn.LayerNorm(dim)
        self.proj = nn.Parameter(torch.zeros(dim, embed))

    def forward(self, pixels):
        x = self.conv1(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_embedding.expand(x.shape[0], 1, -1), x], 1) + self.positional_embedding
        return self.ln_post(self.transformer(self.ln_pre(x))[:, 0]) @ self.proj


class OpenClip(nn.Module):
    def __init__(self, embed, vision, text):
        super().__init__()
        self.visual = Visual(embed=embed, **vision)
        self.token_embedding = nn.Embedding(text["vocab"], text["dim"])
        self.positional_embedding = nn.Parameter(torch.zeros(text["context"], text["dim"]))
        self.transformer = Transformer(text["dim"], text["depth"], text["heads"])
        self.ln_final = nn.LayerNorm(text["dim"])
        self.text_projection = nn.Parameter(torch.zeros(text["dim"], embed))
        self.logit_scale = nn.Parameter(torch.zeros(()))
        n = text["context"]
        self.register_buffer("attn_mask", torch.full((n, n), float("-inf")).triu(1), persistent=False)

    def encode_text(self, ids):
        x = self.transformer(self.token_embedding(ids) + self.positional_embedding, self.attn_mask)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)] @ self.text_projection

    def hps(self, pixels, text_features):
        image = F.normalize(self.visual(pixels), dim=-1)
        return (image * F.normalize(text_features, dim=-1)).sum(-1)


# ---------------------------------------------------------------- check and time

def load_strict(model, tensors, ignore=()):
    tensors = {k: v for k, v in tensors.items() if k not in ignore}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        sys.exit(f"keys do not match: missing {missing}, unexpected {unexpected}")


def check():
    worst = 0.0
    config = json.loads((IR_TINY / "config.json").read_text())
    v, t = config["vision"], config["text"]
    model = ImageReward(dict(size=v["image_size"], patch=v["patch_size"], dim=v["width"], depth=v["depth"], n=v["heads"],
                             hidden=v["mlp_hidden"]),
                        dict(vocab=t["vocab_size"], positions=t["max_position_embeddings"], hidden=t["hidden"],
                             depth=t["layers"], n=t["heads"], inter=t["intermediate"]),
                        config["blip_unused"]["vision_proj"][1], config["mlp"]["widths"]).eval()
    load_strict(model, read_safetensors(IR_TINY / "model.safetensors"), {"blip.text_encoder.embeddings.position_ids"})
    ref = read_safetensors(IR_TINY / "reference.safetensors")
    with torch.no_grad():
        scores = model(ref["a.pixel_values"], ref["input_ids"].long(), ref["attention_mask"])
    diff = (scores - ref["a.tensor.scores"]).abs().max().item()
    print(f"imagereward-tiny scores: max |diff| {diff:.3g}")
    worst = max(worst, diff)

    cfg = json.loads((HPS_TINY / "open_clip_config.json").read_text())["model_cfg"]
    vc, tc = cfg["vision_cfg"], cfg["text_cfg"]
    clip = OpenClip(cfg["embed_dim"], dict(size=vc["image_size"], patch=vc["patch_size"], dim=vc["width"], depth=vc["layers"],
                                           head_width=vc["head_width"]),
                    dict(vocab=tc["vocab_size"], dim=tc["width"], context=tc["context_length"], depth=tc["layers"],
                         heads=tc["heads"])).eval()
    load_strict(clip, read_safetensors(HPS_TINY / "model.safetensors"))
    ref = read_safetensors(HPS_TINY / "reference.safetensors")
    with torch.no_grad():
        text = clip.encode_text(ref["text.input_ids"].long())
        diff = (text - ref["text.features_raw"]).abs().max().item()
        print(f"hpsv2-tiny text features: max |diff| {diff:.3g}")
        worst = max(worst, diff)
        for batch in json.loads((HPS_TINY / "reference.json").read_text())["batches"]:
            pixels = ref[batch + ".pixel_values"]
            hps = clip.hps(pixels, text[:pixels.shape[0]])
            diff = (hps - ref[batch + ".hps"]).abs().max().item()
            print(f"hpsv2-tiny {batch} hps: max |diff| {diff:.3g}")
            worst = max(worst, diff)
    if worst > 1e-4:
        sys.exit(f"parity failed: {worst:.3g} > 1e-4")


def real_image_reward():
    model = ImageReward(dict(size=224, patch=16, dim=1024, depth=24, n=16, hidden=4096),
                        dict(vocab=30524, positions=512, hidden=768, depth=12, n=12, inter=3072), 256,
                        [768, 1024, 128, 64, 16, 1])
    for p in model.parameters():
        nn.init.normal_(p, std=0.02)
    ids = torch.randint(1000, 30000, (1, 35))
    ids[0, 0], ids[0, 13:] = 101, 0
    ids[0, 13] = 102
    mask = (torch.arange(35) < 14).long().unsqueeze(0)
    return model, lambda x: model(x, ids.expand(x.shape[0], -1), mask.expand(x.shape[0], -1))


def real_hpsv2():
    model = OpenClip(1024, dict(size=224, patch=14, dim=1280, depth=32, head_width=80),
                     dict(vocab=49408, dim=1024, context=77, depth=24, heads=16))
    for p in model.parameters():
        nn.init.normal_(p, std=0.02)
    ids = torch.zeros(1, 77, dtype=torch.long)
    ids[0, :14] = torch.randint(1000, 40000, (14,))
    ids[0, 0], ids[0, 14] = 49406, 49407
    with torch.no_grad():
        text = model.encode_text(ids)
    return model, lambda x: model.hps(x, text.expand(x.shape[0], -1))


def peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return -1


def time_model(name, images, repeats):
    torch.manual_seed(0)
    model, score = real_image_reward() if name == "image-reward" else real_hpsv2()
    model.eval().requires_grad_(False)
    params = sum(p.numel() for p in model.parameters())
    x = torch.rand(images, 3, 224, 224)
    forward, backward = [], []
    for k in range(repeats + 1):
        a = time.perf_counter()
        with torch.no_grad():
            score(x)
        b = time.perf_counter()
        leaf = x.clone().requires_grad_(True)
        score(leaf).sum().backward()
        c = time.perf_counter()
        if k > 0:
            forward.append((b - a) * 1000 / images)
            backward.append((c - b) * 1000 / images)
    result = dict(model=name, parameters=params, images=images, threads=torch.get_num_threads(), torch=torch.__version__,
                  score_ms_per_image=statistics.median(forward), score_and_gradient_ms_per_image=statistics.median(backward),
                  peak_rss_mb=round(peak_rss_mb()))
    print(f"{name}: {params:,} parameters, {images} images at 224 px, {result['threads']} threads: score "
          f"{result['score_ms_per_image']:.0f} ms/image, score + gradient to the pixels "
          f"{result['score_and_gradient_ms_per_image']:.0f} ms/image (medians of {repeats}); peak {result['peak_rss_mb']} MB")
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--time", choices=["image-reward", "hpsv2"])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        check()
    if args.time:
        time_model(args.time, args.images, args.repeats)


if __name__ == "__main__":
    main()
