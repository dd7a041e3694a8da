/**
 * ts-gan: train Generative Adversarial Networks on TensorFlow.js, on any backend.
 *
 * The main entry imports no backend: the application imports the one it wants
 * (`@tensorflow/tfjs-backend-wasm`, `-webgl`, `-webgpu`, `-cpu`, `@tensorflow/tfjs-node`, ...).
 *
 * @packageDocumentation
 */

// Training
export { GAN, type SampleOptions } from './gan.js';
export { Trainer, type TrainerOptions, type FitOptions } from './train/trainer.js';
export {
  discriminatorUpdate,
  generatorUpdate,
  trainableVariables,
  type DiscriminatorUpdateOptions,
  type DiscriminatorUpdateResult,
  type GeneratorUpdateOptions,
} from './train/updates.js';
export { SeededRandom, withSeededMathRandom, type RandomState } from './random.js';
export type { GANConfig, NetworkContext, NetworkFactory, StepLogs } from './types.js';

// Losses
export {
  getLoss,
  LOSS_NAMES,
  minimaxLoss,
  nonSaturatingLoss,
  leastSquaresLoss,
  wassersteinLoss,
  hingeLoss,
  type GanLoss,
  type LossName,
  type DiscriminatorLossOptions,
} from './losses/gan-loss.js';
export * as lossFunctions from './losses/functional.js';

// Callbacks
export { CallbackList, type Callback, type TrainBeginInfo, type TrainEndInfo } from './callbacks/callback.js';
export { History } from './callbacks/history.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';

// Data
export type { TrainingData } from './data/batches.js';

// Errors
export {
  GanError,
  ConfigError,
  ShapeError,
  StateError,
  DataError,
  NonFiniteLossError,
  CheckpointError,
  BackendError,
  type GanErrorCode,
} from './errors.js';
