"""attention/causal-mask in Python: the model solution of exercises/transformer-core/attention/causal-mask/solution.ts,
line for line, as a learner of a pytest-based course would write it (plain lists, no tensors)."""
import math


def causal_attention(q, k, v):
    n, m = len(q), len(k)
    d, dv = len(q[0]), len(v[0])
    scale = 1 / math.sqrt(d)
    out = []
    for i, qi in enumerate(q):
        row = [0.0] * dv
        last = m - n + i  # the last key this query may see
        if last >= 0:
            scores = [sum(qi[c] * k[j][c] for c in range(d)) * scale for j in range(last + 1)]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            for j, e in enumerate(exps):
                w = e / total
                for c in range(dv):
                    row[c] += w * v[j][c]
        out.append(row)
    return out
