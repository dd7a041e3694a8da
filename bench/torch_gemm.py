"""PyTorch's float32 matrix product (torch.mm, one thread) on the shapes given, for bench/gemm-vs-torch.ts.

Reads one JSON line: {"shapes": [[M, K, N], ...], "target_ms": 20}; prints one JSON line:
{"version": ..., "ms": [ms per product, ...]}. Each product is repeated to about target_ms per
sample, and the fastest of 3 samples is reported.
"""
import json
import sys
import time

try:
    import torch
except ImportError as err:
    print(json.dumps({"error": f"PyTorch is not installed: {err}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(1)
request = json.loads(sys.stdin.readline())
out = []
for m, k, n in request["shapes"]:
    a = torch.rand(m, k) * 2 - 1
    b = torch.rand(k, n) * 2 - 1
    c = torch.empty(m, n)
    reps = max(1, round(request.get("target_ms", 20) * 1e6 / (2 * m * k * n) * 40))
    torch.mm(a, b, out=c)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) * 1000 / reps)
    out.append(best)
print(json.dumps({"version": torch.__version__, "ms": out}), flush=True)
