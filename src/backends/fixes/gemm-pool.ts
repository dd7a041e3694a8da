/**
 * The library's SIMD GEMM on several threads, in Node: a pool of `worker_threads`, each with the
 * GEMM modules instantiated on one shared `WebAssembly.Memory`. A product's rows, in 4-row panels,
 * are split among the calling thread and the workers; each runs the one-thread GEMM on its panels,
 * so every element of C is the same float32 sum in the same k order as on one thread (bit for bit).
 *
 * Per call nothing is posted: the caller writes the operands' addresses into a small shared
 * Int32Array, bumps a generation counter and wakes the workers with `Atomics.notify`; each
 * worker runs its share and counts down a pending counter; the caller runs its own share, then
 * waits on that counter (`Atomics.wait` with a timeout: a worker that dies or stalls becomes a
 * {@link BackendError}, never a hang). Products too small to gain (under {@link MIN_THREADED_WORK}
 * multiply-adds, or fewer panels than threads) run on the calling thread alone.
 *
 * Workers are `unref`ed (they never keep the process alive) and end with {@link GemmPool.dispose}.
 *
 * @packageDocumentation
 */
import { BackendError } from '../../errors.js';
import { fromBase64 } from './wasm-bytecode.js';
import { withSharedMemoryImport } from './wasm-shared-import.js';
import { GemmMemory, relaxedOn, type SimdGemm } from './wasm-simd-gemm.js';
import { BASE64 } from './wat/gemm.bytes.js';
import { BASE64 as RELAXED_BASE64 } from './wat/gemm-relaxed.bytes.js';

/**
 * Fewest multiply-adds (`mp * k * np`) of a product the pool splits across threads; smaller ones
 * run on the calling thread. Chosen by measurement (`bench/gemm-threads.ts`).
 */
export const MIN_THREADED_WORK = 1 << 21;

/**
 * Fewest rows of a product from another memory (tfjs-wasm's heap) that the pool splits: such a
 * product is copied in, B whole, and below this a Dense layer's products at batch 32 gained nothing
 * (the seed MLP's step with 2 threads measured 0.86-0.93x its one-thread time splitting them, and
 * 0.96-0.97x leaving them on the calling thread).
 */
export const MIN_COPIED_ROWS = 64;

/** Largest size of the shared memory, in 64 KiB pages (2 GiB). */
const MAX_PAGES = 32768;

/** Default time a caller waits for the workers of one product before it gives up. */
const DEFAULT_TIMEOUT_MS = 60_000;

// Slots of the control array (Int32Array over a SharedArrayBuffer).
const GEN = 0; // generation: bumped once per product (and once to quit)
const QUIT = 1;
const PENDING = 2; // workers that have not finished the current product
const FAILED = 3; // 0, or 1 + the index of a worker whose GEMM threw
const A = 4;
const B = 5;
const C = 6;
const MP = 7;
const K = 8;
const NP = 9;
const RELAXED = 10;
const PARTS = 11; // threads taking part in the current product (the caller is part 0)
const SLOTS = 12;

/** The worker's whole program (CommonJS, run with `eval: true`). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, plain, relaxed, control, index } = workerData;
const ctl = new Int32Array(control);
const imports = { env: { memory } };
const gemmPlain = new WebAssembly.Instance(plain, imports).exports.gemm;
const gemmRelaxed = relaxed ? new WebAssembly.Instance(relaxed, imports).exports.gemm : gemmPlain;
// Read the generation before saying ready: the caller may start a product as soon as it hears.
let seen = Atomics.load(ctl, ${GEN});
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctl, ${GEN}, seen);
  const gen = Atomics.load(ctl, ${GEN});
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(ctl, ${QUIT}) !== 0) break;
  const parts = ctl[${PARTS}];
  if (index < parts) try {
    const panels = ctl[${MP}] >> 2;
    const k = ctl[${K}];
    const np = ctl[${NP}];
    const p0 = Math.floor((panels * index) / parts);
    const p1 = Math.floor((panels * (index + 1)) / parts);
    if (p1 > p0) {
      (ctl[${RELAXED}] ? gemmRelaxed : gemmPlain)(
        ctl[${A}] + p0 * k * 16, ctl[${B}], ctl[${C}] + p0 * np * 16, (p1 - p0) * 4, k, np);
    }
  } catch (err) {
    Atomics.store(ctl, ${FAILED}, index + 1);
  }
  // Every worker counts down, taking part or not: the caller rewrites the slots only after all
  // of them have read this product's.
  if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
}
`;

interface WorkerLike {
  on(event: 'error' | 'exit', listener: (arg: unknown) => void): unknown;
  once(event: 'message' | 'error' | 'exit', listener: (arg: unknown) => void): unknown;
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;

/**
 * A pool of GEMM threads over one shared memory. Build it with {@link GemmPool.start}; the
 * `memory` it carries is a {@link GemmMemory} whose `gemm` splits large products across threads.
 */
export class GemmPool {
  /** Threads a product may run on: the caller plus the workers. */
  readonly threads: number;
  /** The shared memory and the splitting GEMM, for callers that pack operands themselves. */
  readonly memory: GemmMemory;
  /** Products smaller than this (multiply-adds) stay on the calling thread. */
  minWork = MIN_THREADED_WORK;
  /** Products from another memory with fewer rows than this stay on the calling thread. */
  minCopiedRows = MIN_COPIED_ROWS;
  /** How long the caller waits for the workers of one product, in milliseconds. */
  timeoutMs = DEFAULT_TIMEOUT_MS;
  private readonly ctl: Int32Array;
  private readonly workers: WorkerLike[];
  private readonly plain: SimdGemm;
  private readonly relaxed: SimdGemm;
  private failure: string | null = null;

  private constructor(threads: number, memory: WebAssembly.Memory, plain: SimdGemm, relaxed: SimdGemm) {
    this.threads = threads;
    this.ctl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
    this.workers = [];
    this.plain = plain;
    this.relaxed = relaxed;
    this.memory = GemmMemory.wrap(memory, (a, b, c, mp, k, np) => this.run(a, b, c, mp, k, np));
  }

  /**
   * Starts `threads - 1` workers (the caller is the other thread). Resolves once every worker has
   * instantiated the GEMM; rejects with a {@link BackendError} where worker threads, shared
   * WebAssembly memory or WebAssembly SIMD are missing.
   */
  static async start(threads: number): Promise<GemmPool> {
    if (!Number.isInteger(threads) || threads < 2) {
      throw new RangeError(`GemmPool.start: threads must be an integer >= 2, got ${threads}`);
    }
    let Worker: WorkerCtor;
    let memory: WebAssembly.Memory;
    let plain: WebAssembly.Module;
    let relaxed: WebAssembly.Module | null = null;
    try {
      const spec = 'node:worker_threads';
      Worker = ((await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as { Worker: WorkerCtor }).Worker;
      memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      plain = new WebAssembly.Module(withSharedMemoryImport(fromBase64(BASE64), MAX_PAGES) as BufferSource);
      try {
        relaxed = new WebAssembly.Module(withSharedMemoryImport(fromBase64(RELAXED_BASE64), MAX_PAGES) as BufferSource);
      } catch {
        relaxed = null; // no relaxed SIMD in this engine: the plain module runs
      }
    } catch (err) {
      throw new BackendError(
        `useBackend: the threaded GEMM needs Node's worker_threads, shared WebAssembly memory and WebAssembly SIMD (${err instanceof Error ? err.message : String(err)}).`,
        { cause: err },
      );
    }
    const imports = { env: { memory } };
    const plainFn = new WebAssembly.Instance(plain, imports).exports.gemm as SimdGemm;
    const relaxedFn = relaxed ? (new WebAssembly.Instance(relaxed, imports).exports.gemm as SimdGemm) : plainFn;
    const pool = new GemmPool(threads, memory, plainFn, relaxedFn);
    const ready: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, plain, relaxed, control: pool.ctl.buffer, index },
      });
      pool.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`worker exited with code ${String(code)}`)));
        }),
      );
      worker.on('error', (err) =>
        pool.fail(`a GEMM worker failed: ${err instanceof Error ? err.message : String(err)}`),
      );
      worker.on('exit', () => pool.fail('a GEMM worker exited'));
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.dispose();
      throw new BackendError(
        `useBackend: a GEMM worker thread could not start (${err instanceof Error ? err.message : String(err)}).`,
        { cause: err },
      );
    }
    for (const w of pool.workers) w.unref();
    return pool;
  }

  /** Marks the pool unusable; the next product throws a {@link BackendError} with `reason`. */
  private fail(reason: string): void {
    if (this.failure === null) this.failure = reason;
  }

  /** Whether the pool has been disposed or lost a worker. */
  get broken(): boolean {
    return this.failure !== null;
  }

  /**
   * C = A·B with operands in the pool's memory (byte addresses, the layout of `wasm-simd-gemm.ts`):
   * on every thread when the product is large enough, else on the calling thread.
   */
  run(a: number, b: number, c: number, mp: number, k: number, np: number): void {
    if (this.failure !== null) throw new BackendError(`threaded GEMM: ${this.failure}.`);
    const gemm = relaxedOn() ? this.relaxed : this.plain;
    const panels = mp >> 2;
    const parts = Math.min(this.threads, panels);
    if (parts < 2 || mp * k * np < this.minWork) {
      gemm(a, b, c, mp, k, np);
      return;
    }
    const ctl = this.ctl;
    ctl[A] = a;
    ctl[B] = b;
    ctl[C] = c;
    ctl[MP] = mp;
    ctl[K] = k;
    ctl[NP] = np;
    ctl[RELAXED] = gemm === this.plain ? 0 : 1;
    ctl[PARTS] = parts;
    ctl[FAILED] = 0;
    Atomics.store(ctl, PENDING, this.threads - 1); // every worker counts down, taking part or not
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    const p1 = Math.floor(panels / parts);
    gemm(a, b, c, p1 * 4, k, np);
    this.await();
    const failed = Atomics.load(ctl, FAILED);
    if (failed !== 0) throw new BackendError(`threaded GEMM: the product failed in worker ${failed - 1}.`);
  }

  /** Waits until every worker has finished the current product, or throws after the timeout. */
  private await(): void {
    const ctl = this.ctl;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const pending = Atomics.load(ctl, PENDING);
      if (pending === 0) return;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(ctl, PENDING, pending, left) === 'timed-out') {
        this.fail(`a GEMM worker did not finish within ${this.timeoutMs} ms`);
        throw new BackendError(
          `threaded GEMM: ${pending} worker thread(s) did not finish a product within ${this.timeoutMs} ms; the pool is stopped (use useBackend with threads: 1 to run on one thread).`,
        );
      }
    }
  }

  /**
   * C = A·B with operands in another memory (tfjs-wasm's heap): copies A's panels and B into the
   * pool's memory, runs {@link GemmPool.run}, copies C back. Returns false, having done nothing,
   * when the product is too small to gain or the memory cannot grow.
   */
  runFrom(src: WebAssembly.Memory, a: number, b: number, c: number, mp: number, k: number, np: number): boolean {
    if (mp * k * np < this.minWork || mp >> 2 < 2 || mp < this.minCopiedRows) return false;
    const aFloats = mp * k;
    const bFloats = k * np;
    const cFloats = mp * np;
    try {
      this.memory.reserve(4 * (aFloats + bFloats + cFloats));
    } catch {
      return false;
    }
    const dst = this.memory.floats();
    dst.set(new Float32Array(src.buffer, a, aFloats), 0);
    dst.set(new Float32Array(src.buffer, b, bFloats), aFloats);
    this.run(0, 4 * aFloats, 4 * (aFloats + bFloats), mp, k, np);
    const from = aFloats + bFloats;
    new Float32Array(src.buffer, c, cFloats).set(dst.subarray(from, from + cFloats));
    return true;
  }

  /** Stops the workers and waits until they have exited. The pool is unusable afterwards. */
  async dispose(): Promise<void> {
    this.fail('the pool was disposed');
    Atomics.store(this.ctl, QUIT, 1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
