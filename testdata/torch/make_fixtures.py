"""Writes the tiny torch.save checkpoints in this folder (see README.md).

Run with Debian's python3-torch (1.13): /usr/bin/python3 testdata/torch/make_fixtures.py
Every value is exactly representable in its dtype, so the Java tests assert closed forms.
"""
import collections
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def save(obj, name, **kw):
    torch.save(obj, os.path.join(HERE, name), **kw)


special16 = [65504.0, 2.0 ** -14, 2.0 ** -24, -2.5, float("inf"), float("-inf"), float("nan"), -0.0]
save({
    "exact": (torch.arange(-6, 6, dtype=torch.float32).reshape(3, 4) * 0.25).half(),
    "special": torch.tensor(special16, dtype=torch.float16),
}, "f16.pt")

# bfloat16: max finite, smallest subnormal, 1/3 rounded to 8 significant bits, inf, nan
special_bf16 = [3.3895313892515355e38, 2.0 ** -133, 0.333984375, float("inf"), float("nan")]
save({
    "exact": (torch.arange(-6, 6, dtype=torch.float32).reshape(3, 4) * 0.25).bfloat16(),
    "special": torch.tensor(special_bf16, dtype=torch.bfloat16),
}, "bf16.pt")

# views of one storage: transposed, sliced with an offset, stepped, and a broadcast (stride 0)
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
save(collections.OrderedDict([
    ("base", base),
    ("transposed", base.t()),           # size (6, 4), stride (1, 6)
    ("slice", base[1:3, 2:5]),          # offset 8, stride (6, 1)
    ("step", base[::2, ::3]),           # stride (12, 3)
    ("expanded", torch.arange(3, dtype=torch.float32).expand(4, 3)),  # stride (0, 1)
]), "strided.pt")

# nested dicts, non-tensor metadata, a Parameter, integer/bool/double dtypes, a scalar
lin = torch.nn.Linear(3, 2)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]))
    lin.bias.copy_(torch.tensor([0.25, -0.75]))
save({
    "epoch": 7,
    "state_dict": lin.state_dict(),
    "extra": {
        "param": torch.nn.Parameter(torch.tensor([1.5, -2.0])),
        "steps": torch.tensor([0, 1, 2 ** 40], dtype=torch.int64),
        "ids": torch.tensor([-3, 4], dtype=torch.int32),
        "mask": torch.tensor([True, False, True]),
        "bytes": torch.tensor([0, 255], dtype=torch.uint8),
        "double": torch.tensor([0.1, -1e300], dtype=torch.float64),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    },
    "names": ["a", "b"],
}, "nested.pt")

# the pre-1.6 (non-zip) format, which the reader refuses with a pointer to re-save
save({"w": torch.ones(2)}, "legacy.pt", _use_new_zipfile_serialization=False)
