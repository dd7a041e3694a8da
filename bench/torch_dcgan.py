"""PyTorch twin of `ts-gan mnist --arch dcgan`'s training step, driven by bench/run.ts over stdin/stdout.

The networks are examples/mnist/pytorch_reference.py's twins of presets.dcgan's defaults (64 filters,
4x4 kernels: generator Dense to 7x7x128, BatchNorm, ReLU, two stride-2 conv-transposes; discriminator
two stride-2 convolutions 64 -> 128 with BatchNorm on the second, LeakyReLU 0.2, Dense to one logit),
with the same layers and parameter counts, N(0, 0.02) weights. The update scheme is the Trainer's with
`frozenNetworkMode: 'training'`: one discriminator update on B real + B generated samples (generator on
batch statistics, no graph through it), then one generator update on B samples (discriminator frozen,
on batch statistics). Adam(2e-4, betas=(0.5, 0.999), eps=1e-7). One thread by default; `--threads N`.

Protocol (as torch_mlp_gan.py): one JSON request per line, one JSON answer per line.
  {"batch": 64, "steps": 4}  ->  {"ms": <wall ms for the steps>, "cpu_ms": <this process's CPU ms for them>, "maxrss_kb": ...}
  {"quit": true}
"""
import json
import os
import resource
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:  # the bench prints this and skips the PyTorch column
    print(json.dumps({"error": f"PyTorch is not installed: {err}"}), flush=True)
    sys.exit(0)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'examples', 'mnist'))
try:
    from pytorch_reference import DcganGenerator, dcgan_discriminator, dcgan_init
except ImportError as err:  # the reference script needs numpy and Pillow too
    print(json.dumps({"error": f"examples/mnist/pytorch_reference.py could not be imported: {err}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 1)
torch.manual_seed(0)
LATENT = 100
FILTERS = 64  # presets.dcgan's default width
KERNEL = 4  # presets.dcgan's default kernel


class Setup:
    def __init__(self, batch):
        self.batch = batch
        self.g = dcgan_init(DcganGenerator(LATENT, FILTERS, KERNEL))
        self.d = dcgan_init(dcgan_discriminator(FILTERS, KERNEL, batch_norm=True))
        self.g_opt = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.d_opt = torch.optim.Adam(self.d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.data = torch.rand(2048, 784) * 2 - 1

    def step(self):
        b = self.batch
        real = self.data[torch.randint(0, self.data.shape[0], (b,))]
        # Discriminator update: generator on batch statistics ('training' mode), no graph through it.
        self.g.train()
        with torch.no_grad():
            fake = self.g(torch.randn(b, LATENT))
        self.d_opt.zero_grad(set_to_none=True)
        d_loss = F.softplus(-self.d(real)).mean() + F.softplus(self.d(fake)).mean()
        d_loss.backward()
        self.d_opt.step()
        # Generator update: discriminator frozen (no weight gradients), still on batch statistics.
        for p in self.d.parameters():
            p.requires_grad_(False)
        self.g_opt.zero_grad(set_to_none=True)
        g_loss = F.softplus(-self.d(self.g(torch.randn(b, LATENT)))).mean()
        g_loss.backward()
        self.g_opt.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        return d_loss, g_loss


def main():
    setups = {}
    g, d = Setup(1).g, Setup(1).d
    params = {"generator": sum(p.numel() for p in g.parameters()), "discriminator": sum(p.numel() for p in d.parameters())}
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "params": params}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("quit"):
            break
        b = int(req["batch"])
        s = setups.get(b) or setups.setdefault(b, Setup(b))
        start = time.perf_counter()
        cpu_start = time.process_time()
        for _ in range(int(req["steps"])):
            d_loss, g_loss = s.step()
        # Read the losses once per chunk, as the tfjs loops do.
        float(d_loss), float(g_loss)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "maxrss_kb": rss}), flush=True)


if __name__ == "__main__":
    main()
