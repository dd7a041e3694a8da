/**
 * The level of the time-to-quality benchmark and its plot: score and Fréchet distance against
 * seconds, one line per run, as a small standalone SVG.
 */

/** The seed MLP's 30,000-step level on the shipped judge (docs/evaluation.md's calibration). */
export const QUALITY_LEVEL = { classifierScore: 7.8, frechetDistance: 13 } as const;

/** One scored snapshot of a run. */
export interface CurvePoint {
  step: number;
  /** Seconds from the start of the run's command to the snapshot's save. */
  seconds: number;
  classifierScore: number;
  frechetDistance: number;
}

/** The first snapshot at the level, or undefined. */
export function firstAtLevel(curve: readonly CurvePoint[]): CurvePoint | undefined {
  return curve.find(
    (p) => p.classifierScore >= QUALITY_LEVEL.classifierScore && p.frechetDistance <= QUALITY_LEVEL.frechetDistance,
  );
}

interface PlotInput {
  date: string;
  machine: { cpu: string };
  curve: CurvePoint[];
  twin?: { curve: CurvePoint[] } | undefined;
  mlp?: CurvePoint[] | undefined;
  pytorchSeed?: { seconds30k?: number | undefined } | undefined;
}

const W = 360;
const H = 220;
const PAD = { left: 44, right: 10, top: 24, bottom: 34 };
const COLOURS = { example: '#1f77b4', twin: '#ff7f0e', mlp: '#7f7f7f' } as const;

/** Two panels side by side: classifier score and Fréchet distance (log scale) against seconds. */
export function qualitySvg(r: PlotInput): string {
  const runs: [keyof typeof COLOURS, string, CurvePoint[]][] = [
    ['example', 'npm run example:mnist (fast recipe)', r.curve],
  ];
  if (r.twin) runs.push(['twin', 'PyTorch twin of the fast recipe', r.twin.curve]);
  if (r.mlp) runs.push(['mlp', 'seed MLP (--recipe mlp)', r.mlp]);
  const budget = r.pytorchSeed?.seconds30k;
  const maxX = Math.max(budget ?? 0, ...runs.flatMap(([, , c]) => c.map((p) => p.seconds))) * 1.05;
  const panel = (
    x0: number,
    title: string,
    value: (p: CurvePoint) => number,
    [lo, hi]: [number, number],
    level: number,
    log: boolean,
  ) => {
    const f = (v: number) => (log ? Math.log10(v) : v);
    const sx = (s: number) => x0 + PAD.left + (s / maxX) * (W - PAD.left - PAD.right);
    const sy = (v: number) =>
      PAD.top + (1 - (f(Math.min(Math.max(v, lo), hi)) - f(lo)) / (f(hi) - f(lo))) * (H - PAD.top - PAD.bottom);
    const parts = [
      `<text x="${x0 + W / 2}" y="14" text-anchor="middle" font-size="12">${title}</text>`,
      `<line x1="${sx(0)}" y1="${sy(lo)}" x2="${sx(maxX)}" y2="${sy(lo)}" stroke="#000"/>`,
      `<line x1="${sx(0)}" y1="${sy(lo)}" x2="${sx(0)}" y2="${sy(hi)}" stroke="#000"/>`,
      `<line x1="${sx(0)}" y1="${sy(level)}" x2="${sx(maxX)}" y2="${sy(level)}" stroke="#2ca02c" stroke-dasharray="4 3"/>`,
      `<text x="${sx(0) - 4}" y="${sy(level) + 4}" text-anchor="end" font-size="10">${level}</text>`,
      `<text x="${sx(0) - 4}" y="${sy(hi) + 4}" text-anchor="end" font-size="10">${hi}</text>`,
      `<text x="${sx(0) - 4}" y="${sy(lo) + 4}" text-anchor="end" font-size="10">${lo}</text>`,
      `<text x="${sx(maxX / 2)}" y="${H - 6}" text-anchor="middle" font-size="10">seconds from the command's start</text>`,
    ];
    for (let s = 0; s <= maxX; s += 100) {
      parts.push(`<text x="${sx(s)}" y="${sy(lo) + 12}" text-anchor="middle" font-size="9">${s}</text>`);
    }
    if (budget) {
      parts.push(
        `<line x1="${sx(budget)}" y1="${sy(lo)}" x2="${sx(budget)}" y2="${sy(hi)}" stroke="#d62728" stroke-dasharray="4 3"/>`,
      );
    }
    for (const [key, , curve] of runs) {
      const pts = curve.map((p) => `${sx(p.seconds).toFixed(1)},${sy(value(p)).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${COLOURS[key]}" stroke-width="1.8"/>`);
    }
    return parts.join('\n');
  };
  const legend = runs.map(
    ([key, label], i) =>
      `<rect x="${PAD.left + i * 240}" y="${H + 6}" width="12" height="3" fill="${COLOURS[key]}"/>` +
      `<text x="${PAD.left + 16 + i * 240}" y="${H + 11}" font-size="10">${label}</text>`,
  );
  if (budget) {
    legend.push(
      `<text x="${PAD.left}" y="${H + 26}" font-size="10" fill="#d62728">red: PyTorch's seed MLP, 30,000 steps (${budget.toFixed(0)} s); green: the level; ${r.machine.cpu}, ${r.date}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 34}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    panel(0, 'classifier score (higher is better)', (p) => p.classifierScore, [1, 10], 7.8, false),
    panel(W, 'Fréchet distance (lower is better, log)', (p) => p.frechetDistance, [1, 400], 13, true),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
