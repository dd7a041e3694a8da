/**
 * The report of the run in this page: what the page has seen (losses, the judge's verdicts, grids
 * over time, the interpolation strip) as the library's `RunReportData`, turned into one
 * self-contained HTML file by `renderRunReport` with uPlot inlined, the same page `ts-gan mnist`
 * writes next to a run on disk.
 */

import { type EvaluationRecord, type ReportImage, renderRunReport, type StepRecord } from 'ts-gan';
import uplotJs from 'uplot/dist/uPlot.iife.min.js?raw';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import type { Judgement, Progress } from './protocol';

/** Everything the page keeps of a run for its report. */
export class RunLog {
  readonly steps: StepRecord[] = [];
  readonly evaluations: EvaluationRecord[] = [];
  readonly grids: ReportImage[] = [];
  private lastGridStep = -1;

  clear(): void {
    this.steps.length = 0;
    this.evaluations.length = 0;
    this.grids.length = 0;
    this.lastGridStep = -1;
  }

  addStep(p: Progress): void {
    const { step, dLoss, gLoss, dReal, dFake, stepsPerSecond, numTensors } = p;
    this.steps.push({ step, dLoss, gLoss, dReal, dFake, stepsPerSecond, numTensors });
  }

  addJudgement(j: Judgement): void {
    this.evaluations.push({ step: j.step, ...j.metrics });
  }

  /**
   * Keeps a snapshot of the grid now and then: ten a decade of steps (0, 1, 2, ..., 10, 20, ...,
   * 100, 200, ...), so that a long run keeps about ten grids per power of ten and the early ones,
   * where most changes, are there too.
   */
  addGrid(step: number, canvas: HTMLCanvasElement): void {
    if (this.lastGridStep >= 0 && step - this.lastGridStep < Math.max(1, 10 ** Math.floor(Math.log10(step || 1))))
      return;
    this.lastGridStep = step;
    this.grids.push({ step, dataUrl: canvas.toDataURL('image/png') });
  }
}

/** What the page knows of the run besides its log. */
export interface RunContext {
  backend: string;
  fixes: string[];
  seed: number;
  /** What trained, in words: the recipe and its settings. */
  recipe: string;
  /** The grid and the interpolation strip as they are now. */
  grid: HTMLCanvasElement;
  strip: HTMLCanvasElement;
  now: Date;
}

/** The report page's HTML. */
export function buildReport(log: RunLog, c: RunContext): string {
  const latest = log.steps[log.steps.length - 1]?.step ?? 0;
  return renderRunReport(
    {
      title: `ts-gan demo: MNIST on ${c.backend}, step ${latest}`,
      generatedAt: c.now.toISOString(),
      steps: log.steps,
      evaluations: log.evaluations,
      alarms: [],
      grids: log.grids,
      latestGrid: { step: latest, dataUrl: c.grid.toDataURL('image/png') },
      interpolation: { step: latest, dataUrl: c.strip.toDataURL('image/png') },
      config: {
        invocations: [],
        origin:
          `Trained in a browser tab by the ts-gan demo: ${c.recipe} (seed ${c.seed}) on 10,000 MNIST ` +
          'digits. Its checkpoints live in the page ' +
          '(Save in browser, Download checkpoint), not on disk.',
        backend: { name: c.backend, fixes: c.fixes },
      },
      notes: [],
    },
    { chartJs: uplotJs, chartCss: uplotCss },
  );
}
