"""The anchor of llm-tutor's cold-check figure (bench/run.mjs): pytest + PyTorch checking the same function the tutor checks
in `llm-tutor check attention/causal-mask` — the same ten cases (the lesson example, then the same shapes), a PyTorch
reference with the same bottom-right alignment, the same tolerance, and the same two properties. Run by the benchmark as
`python3 -m pytest -q -p no:cacheprovider bench/anchor/test_causal_mask.py`."""
import pytest
import torch

from causal_mask import causal_attention

torch.manual_seed(42)


def random_qkv(n, m, d, dv):
    return [torch.randn(n, d).tolist(), torch.randn(m, d).tolist(), torch.randn(m, dv).tolist()]


LESSON = [[[1, 0, 1, 0], [0, 2, 0, 2]], [[1, 1, 0, 0], [0, 0, 2, 0], [1, 0, 1, 2]], [[1, 0], [0, 1], [2, 2]]]
LARGE = [
    [[32, 32, 32, 32], [-32, -32, -32, -32]],
    [[15.625] * 4, [15.625, 15.625, 15.625, 15.6875], [15.75] * 4],
    [[1, 0, 2], [0, 1, -1], [0.5, 0.5, 0]],
]
CASES = {
    "the lesson example": LESSON,
    "random, n = m": random_qkv(5, 5, 6, 4),
    "n < m (2 new queries, 5 keys)": random_qkv(2, 5, 4, 3),
    "one new query": random_qkv(1, 6, 8, 4),
    "random, n < m": random_qkv(3, 7, 9, 3),
    "n > m (5 queries, 3 keys)": random_qkv(5, 3, 4, 2),
    "random, n > m": random_qkv(6, 3, 5, 3),
    "one query, one key": random_qkv(1, 1, 3, 2),
    "a wide head": random_qkv(8, 8, 32, 8),
    "large scores": LARGE,
}


def reference(q, k, v):
    """Causal attention in PyTorch: query i sits at position m − n + i and sees keys j ≤ m − n + i; a query that sees no key outputs zeros."""
    q, k, v = (torch.tensor(x, dtype=torch.float32) for x in (q, k, v))
    n, m = q.shape[0], k.shape[0]
    scores = q @ k.T / q.shape[1] ** 0.5
    visible = torch.arange(m)[None, :] <= (torch.arange(n) + m - n)[:, None]
    has_key = visible.any(dim=1, keepdim=True)
    masked = scores.masked_fill(~visible, float("-inf")).masked_fill(~has_key, 0.0)
    weights = torch.softmax(masked, dim=-1) * visible
    return weights @ v


@pytest.mark.parametrize("name", list(CASES))
def test_matches_reference(name):
    q, k, v = CASES[name]
    got = torch.tensor(causal_attention(q, k, v), dtype=torch.float32)
    torch.testing.assert_close(got, reference(q, k, v), rtol=1e-4, atol=1e-5)


def test_first_query_sees_only_first_key():
    q, k, v = random_qkv(4, 4, 3, 2)
    torch.testing.assert_close(torch.tensor(causal_attention(q, k, v)[0]), torch.tensor(v[0]), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(3, 3, 4, 2), (2, 4, 4, 3)])
def test_one_more_token_leaves_earlier_outputs(shape):
    n, m, d, dv = shape
    q, k, v = random_qkv(n, m, d, dv)
    q2, k2, v2 = random_qkv(1, 1, d, dv)
    before = causal_attention(q, k, v)
    after = causal_attention(q + q2, k + k2, v + v2)[:n]
    torch.testing.assert_close(torch.tensor(after), torch.tensor(before), rtol=1e-4, atol=1e-5)
