"""Logits of a small GPT-2-style model in PyTorch, for the tutor's test of its
TensorFlow.js model (src/mini-gpt/model.ts). Writes
test/fixtures/pytorch/mini-gpt-forward.json: the config, the weights (seeded
N(0, 0.3) so that every layer matters), two token sequences and their
logits. GPT-2's layout: pre-norm blocks, LayerNorm eps 1e-5, c_attn and
c_proj weights stored [in, out] (Conv1D), GELU tanh, the unembedding tied
to wte. Run with Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/pytorch/mini-gpt-forward.py
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(20261202)
cfg = {"vocabSize": 7, "context": 6, "layers": 2, "heads": 2, "width": 8}
C, H, V = cfg["width"], cfg["heads"], cfg["vocabSize"]


def shapes():
    out = [("wte", [V, C]), ("wpe", [cfg["context"], C])]
    for i in range(cfg["layers"]):
        h = f"h.{i}."
        out += [
            (h + "ln_1.weight", [C]), (h + "ln_1.bias", [C]),
            (h + "attn.c_attn.weight", [C, 3 * C]), (h + "attn.c_attn.bias", [3 * C]),
            (h + "attn.c_proj.weight", [C, C]), (h + "attn.c_proj.bias", [C]),
            (h + "ln_2.weight", [C]), (h + "ln_2.bias", [C]),
            (h + "mlp.c_fc.weight", [C, 4 * C]), (h + "mlp.c_fc.bias", [4 * C]),
            (h + "mlp.c_proj.weight", [4 * C, C]), (h + "mlp.c_proj.bias", [C]),
        ]
    return out + [("ln_f.weight", [C]), ("ln_f.bias", [C])]


w = {}
for name, shape in shapes():
    # LayerNorm gains around 1, everything else around 0.
    base = 1.0 if "ln_" in name and name.endswith("weight") else 0.0
    w[name] = (base + 0.3 * torch.randn(*shape, dtype=torch.float64))


def forward(tokens):
    T = len(tokens)
    x = w["wte"][tokens] + w["wpe"][:T]
    d = C // H
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(cfg["layers"]):
        h = f"h.{i}."
        a = F.layer_norm(x, (C,), w[h + "ln_1.weight"], w[h + "ln_1.bias"], 1e-5)
        q, k, v = (a @ w[h + "attn.c_attn.weight"] + w[h + "attn.c_attn.bias"]).split(C, dim=-1)
        q, k, v = (t.view(T, H, d).transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ w[h + "attn.c_proj.weight"] + w[h + "attn.c_proj.bias"]
        m = F.layer_norm(x, (C,), w[h + "ln_2.weight"], w[h + "ln_2.bias"], 1e-5)
        hidden = F.gelu(m @ w[h + "mlp.c_fc.weight"] + w[h + "mlp.c_fc.bias"], approximate="tanh")
        x = x + hidden @ w[h + "mlp.c_proj.weight"] + w[h + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (C,), w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    return x @ w["wte"].T


sequences = [[3, 1, 4, 1, 5, 6], [2, 0]]
fixture = {
    "torch": torch.__version__,
    "config": cfg,
    # Rounded to float32 first, so that TensorFlow.js reads exactly the weights PyTorch used.
    "tensors": {},
    "sequences": [],
}
for name, _ in shapes():
    w[name] = w[name].float().double()
    fixture["tensors"][name] = w[name].flatten().tolist()
for tokens in sequences:
    fixture["sequences"].append({"tokens": tokens, "logits": forward(torch.tensor(tokens)).tolist()})

out = pathlib.Path(__file__).resolve().parents[2] / "test/fixtures/pytorch/mini-gpt-forward.json"
out.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {out}")
