"""Runs the ```python block of every built-in lesson's "In practice"
section on the exercise's first case, and writes what each one assigned to
`result` to test/fixtures/pytorch/lesson-snippets.json, which
test/exercises/in-practice.test.ts compares with the references.

    npm run build
    node scripts/pytorch/dump-first-cases.mjs
    python3 scripts/pytorch/lesson-snippets.py [first-cases.json]

Needs PyTorch (Debian: apt-get install python3-torch). A block that imports
tiktoken or tokenizers is not run (neither is a Debian package) and is listed
as skipped. On a PyTorch older than 2.0, F.scaled_dot_product_attention is
stood in for by the equivalent code of its documentation, and the fixture
says so.
"""

import json
import math
import pathlib
import re
import sys

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKS = ROOT / "exercises"
OUT = ROOT / "test" / "fixtures" / "pytorch" / "lesson-snippets.json"
FIRST_CASES = ROOT / "test-output" / "pytorch" / "first-cases.json"
# Blocks that call an op this PyTorch has no CPU kernel for (Debian's 1.13):
# skipped with the reason, when the op is missing, and checked otherwise.
NO_CPU_KERNEL_BEFORE_2 = {
    "training/optim/loss-scaling": "torch._amp_update_scale_ has no CPU kernel in this PyTorch: checked against a transcription of that kernel in test/exercises/training/loss-scaling.test.ts",
}
NEEDS_TOKENIZERS = re.compile(r"^(import|from) (tiktoken|tokenizers)\b", re.M)


def sdpa_as_documented(query, key, value, attn_mask=None, dropout_p=0.0,
                       is_causal=False, scale=None, enable_gqa=False):
    """F.scaled_dot_product_attention as its documentation spells it out."""
    n, m = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    bias = torch.zeros(n, m, dtype=query.dtype)
    if is_causal:
        assert attn_mask is None
        causal = torch.ones(n, m, dtype=torch.bool).tril(diagonal=0)
        bias.masked_fill_(causal.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias.masked_fill_(attn_mask.logical_not(), float("-inf"))
        else:
            bias = attn_mask + bias
    if enable_gqa:
        key = key.repeat_interleave(query.size(-3) // key.size(-3), -3)
        value = value.repeat_interleave(query.size(-3) // value.size(-3), -3)
    weights = query @ key.transpose(-2, -1) * scale_factor + bias
    weights = torch.softmax(weights, dim=-1)
    weights = torch.dropout(weights, dropout_p, train=True)
    return weights @ value


def rms_norm_as_documented(input, normalized_shape, weight=None, eps=None):
    """F.rms_norm (PyTorch 2.4) as its documentation spells it out."""
    dims = tuple(range(-len(normalized_shape), 0))
    eps = torch.finfo(input.dtype).eps if eps is None else eps
    out = input * torch.rsqrt(input.pow(2).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def install_shims():
    """Names of the PyTorch functions stood in for on this version."""
    shims = {"scaled_dot_product_attention": sdpa_as_documented, "rms_norm": rms_norm_as_documented}
    missing = [name for name in shims if not hasattr(F, name)]
    for name in missing:
        setattr(F, name, shims[name])
    return [f"torch.nn.functional.{name}" for name in missing]


def leaves(value):
    if isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def ragged(value):
    """Whether a nested list has rows of different lengths (clip-grad-norm's
    tensors of several sizes): it becomes a list of tensors, not one."""
    if not value or not isinstance(value[0], list):
        return False
    return len({len(row) if isinstance(row, list) else -1 for row in value}) > 1 or any(ragged(row) for row in value)


def as_torch(value):
    """A case argument as the lessons' python blocks see it: a list of
    numbers becomes a float64 tensor (a ragged one a list of tensors), a list
    of booleans a bool tensor, a dict its values converted; anything else
    stays as it is."""
    if isinstance(value, dict):
        return {key: as_torch(item) for key, item in value.items()}
    if isinstance(value, list):
        items = list(leaves(value))
        if items and all(isinstance(x, bool) for x in items):
            return torch.tensor(value, dtype=torch.bool)
        if all(isinstance(x, (int, float)) and not isinstance(x, bool)
               for x in items) and not ragged(value):
            return torch.tensor(value, dtype=torch.float64)
        return [as_torch(item) for item in value]
    return value


def as_json(value):
    """A block's result as JSON data: tensors as nested lists; NaN and
    ±Infinity as the strings "NaN", "Infinity", "-Infinity", the tutor's one
    JSON encoding of them (plain JSON has no such numbers)."""
    if isinstance(value, torch.Tensor):
        return as_json(value.detach().tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    return value


def python_block(lesson):
    """The ```python block of the lesson's last section."""
    last = lesson.split("\n## ")[-1]
    match = re.search(r"^```python\n(.*?)^```$", last, re.M | re.S)
    if not match:
        raise SystemExit(f"no ```python block in the last section of {lesson[:60]!r}")
    return match.group(1)


def run_block(code, names, args):
    scope = {"torch": torch}
    scope.update({name: as_torch(arg) for name, arg in zip(names, args)})
    exec(compile(code, "<lesson>", "exec"), scope)
    return as_json(scope["result"])


def main():
    first_cases = json.loads(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else FIRST_CASES).read_text())
    fixture = {"torch": torch.__version__, "shims": install_shims(),
               "blocks": {}, "results": {}, "skipped": {}}
    failed = []
    for exercise_id, case in sorted(first_cases.items()):
        code = python_block((PACKS / exercise_id / "lesson.md").read_text())
        if NEEDS_TOKENIZERS.search(code):
            fixture["skipped"][exercise_id] = "needs tiktoken or Hugging Face tokenizers, which are not Debian packages: checked by hand"
            continue
        fixture["blocks"][exercise_id] = code
        try:
            fixture["results"][exercise_id] = run_block(code, case["names"], case["args"])
        except NotImplementedError as error:
            if exercise_id not in NO_CPU_KERNEL_BEFORE_2:
                raise
            del fixture["blocks"][exercise_id]
            fixture["skipped"][exercise_id] = NO_CPU_KERNEL_BEFORE_2[exercise_id]
        except Exception as error:  # every failing block is reported, not only the first
            failed.append(f"{exercise_id}: {type(error).__name__}: {error}")
    if failed:
        raise SystemExit("these python blocks failed (nothing written):\n" + "\n".join(failed))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"ran {len(fixture['results'])} python blocks, skipped {len(fixture['skipped'])}; wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
