/**
 * Ctrl-C (SIGINT) and SIGTERM (job schedulers, `docker stop`) stop training after the current step,
 * so the command still saves everything; a second signal aborts at once.
 *
 * @packageDocumentation
 */

/** The signals that stop a run cleanly. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit code after a SIGTERM, once everything is saved: 128 + 15, as a process killed by it. */
export const SIGTERM_EXIT_CODE = 143;

/** Where signals come from: the process, or an emitter in tests. */
export type SignalTarget = Pick<NodeJS.EventEmitter, 'on' | 'removeListener'>;

/** Handlers installed by {@link stopOnSignals}. */
export interface StopSignals {
  /** The first signal received, if any. */
  readonly received: StopSignal | undefined;
  /**
   * The exit code of a run that ended normally after the signals so far: 0, or
   * {@link SIGTERM_EXIT_CODE} after a SIGTERM. After Ctrl-C the run saved what the user asked to keep: 0.
   */
  readonly exitCode: number;
  /** Removes the handlers (safe to call twice). */
  dispose(): void;
}

/**
 * Installs SIGINT and SIGTERM handlers that call `stop` on the first signal and then remove
 * themselves, so that a second signal takes its default action (the process ends at once).
 * @param stop - asks the training to stop after its current step.
 * @param stderr - where the handler says what happens.
 * @param target - the emitter of the signals (the process; tests pass their own).
 */
export function stopOnSignals(
  stop: () => void,
  stderr: { write(text: string): unknown },
  target: SignalTarget = process,
): StopSignals {
  let received: StopSignal | undefined;
  const dispose = () => {
    for (const signal of STOP_SIGNALS) target.removeListener(signal, onSignal);
  };
  function onSignal(signal: StopSignal): void {
    received = signal;
    dispose();
    stderr.write(
      signal === 'SIGINT'
        ? '\nstopping after this step (Ctrl-C again to abort)...\n'
        : `\n${signal}: stopping after this step and saving, then exiting with ${SIGTERM_EXIT_CODE} (a second signal aborts)...\n`,
    );
    stop();
  }
  for (const signal of STOP_SIGNALS) target.on(signal, onSignal);
  return {
    get received() {
      return received;
    },
    get exitCode() {
      return received === 'SIGTERM' ? SIGTERM_EXIT_CODE : 0;
    },
    dispose,
  };
}
