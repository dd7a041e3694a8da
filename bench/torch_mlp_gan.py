"""PyTorch twin of the seed's MLP GAN step, driven by bench/run.ts over stdin/stdout.

Same networks (generator Dense 256-512-1024, LeakyReLU 0.2, BatchNorm momentum 0.8, Dense 784 tanh;
discriminator Dense 512-256, LeakyReLU 0.2, Dense 1 logit), same update scheme as ts-gan's Trainer:
one discriminator update on B real + B generated samples (generator in inference mode), then one
generator update on B samples (discriminator frozen). Adam(2e-4, betas=(0.5, 0.999), eps=1e-7).
One thread by default, as the wasm backend in Node has; `--threads N` for more.

Protocol: one JSON request per line, one JSON answer per line.
  {"batch": 32, "steps": 20}  ->  {"ms": <wall ms for the steps>, "maxrss_kb": ...}
  {"quit": true}
"""
import json
import resource
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError as err:  # the bench prints this and skips the PyTorch column
    print(json.dumps({"error": f"PyTorch is not installed: {err}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 1)
torch.manual_seed(0)
LATENT = 100
DATA = 784
KERAS_BN_MOMENTUM = 0.8  # Keras momentum 0.8 keeps 80% of the old statistic; PyTorch's momentum is 1 - that.


def generator():
    layers, width = [], LATENT
    for units in (256, 512, 1024):
        layers += [nn.Linear(width, units), nn.LeakyReLU(0.2), nn.BatchNorm1d(units, momentum=1 - KERAS_BN_MOMENTUM, eps=1e-3)]
        width = units
    layers += [nn.Linear(width, DATA), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator():
    return nn.Sequential(nn.Linear(DATA, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))


class Setup:
    def __init__(self, batch):
        self.batch = batch
        self.g, self.d = generator(), discriminator()
        self.g_opt = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.d_opt = torch.optim.Adam(self.d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.data = torch.rand(1024, DATA) * 2 - 1
        self.loss = nn.BCEWithLogitsLoss()
        self.ones = torch.ones(batch, 1)
        self.zeros = torch.zeros(batch, 1)

    def step(self):
        b = self.batch
        real = self.data[torch.randint(0, self.data.shape[0], (b,))]
        # Discriminator update: generator in inference mode, no graph through it.
        self.g.eval()
        with torch.no_grad():
            fake = self.g(torch.randn(b, LATENT))
        self.g.train()
        self.d_opt.zero_grad(set_to_none=True)
        d_loss = self.loss(self.d(real), self.ones) + self.loss(self.d(fake), self.zeros)
        d_loss.backward()
        self.d_opt.step()
        # Generator update: discriminator frozen (no weight gradients computed for it).
        for p in self.d.parameters():
            p.requires_grad_(False)
        self.g_opt.zero_grad(set_to_none=True)
        g_loss = self.loss(self.d(self.g(torch.randn(b, LATENT))), self.ones)
        g_loss.backward()
        self.g_opt.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        return d_loss, g_loss


def main():
    setups = {}
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("quit"):
            break
        b = int(req["batch"])
        s = setups.get(b) or setups.setdefault(b, Setup(b))
        start = time.perf_counter()
        for _ in range(int(req["steps"])):
            d_loss, g_loss = s.step()
        # Read the losses once per chunk, as the tfjs loops do.
        float(d_loss), float(g_loss)
        ms = (time.perf_counter() - start) * 1000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"ms": ms, "maxrss_kb": rss}), flush=True)


if __name__ == "__main__":
    main()
