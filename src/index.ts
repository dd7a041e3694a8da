/**
 * ts-gan: train Generative Adversarial Networks on TensorFlow.js, on any backend.
 *
 * The main entry imports no backend: the application imports the one it wants
 * (`@tensorflow/tfjs-backend-wasm`, `-webgl`, `-webgpu`, `-cpu`, `@tensorflow/tfjs-node`, ...).
 *
 * @packageDocumentation
 */

// Callbacks
export {
  type Callback,
  CallbackList,
  type TrainBeginInfo,
  type TrainEndInfo,
  type TrainingWarning,
  type TrainingWarningCode,
} from './callbacks/callback.js';
export {
  DivergenceAlarm,
  type DivergenceAlarmOptions,
  type DivergenceEvent,
} from './callbacks/divergence.js';
export { History } from './callbacks/history.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
// Conditional generation
export {
  Conditioning,
  type ConditioningKind,
  classCrossEntropy,
  type InfoCodesConfig,
} from './conditional/conditioning.js';
export type { LabelledBatch, LabelledData, LabelledTrainingData } from './conditional/labelled-data.js';
// Data
export type { TrainingData } from './data/batches.js';
export {
  type BrowserImageDataset,
  type ImageSource,
  type LoadImagesOptions,
  loadImages,
} from './data/browser-images.js';
export {
  decodeIdx,
  type IdxArray,
  type IdxDataType,
  type IdxImageOptions,
  idxImagesToTensor,
  isGzip,
  parseIdx,
} from './data/idx.js';
export type { ImageFit, ImageShapeOptions } from './data/image-fit.js';
// Errors
export {
  BackendError,
  BadImageError,
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointMismatch,
  ConfigError,
  DataError,
  DivergenceError,
  GanError,
  type GanErrorCode,
  NonFiniteLossError,
  ShapeError,
  StateError,
} from './errors.js';
// Training
export { GAN, type SampleChunkOptions, type SampleOptions } from './gan.js';
// IO (checkpoints)
export {
  type CheckpointExpectations,
  type GanLoadOptions,
  readCheckpointManifest,
} from './io/gan-checkpoint.js';
export type { CheckpointManifest, GanConfigJSON, TrainerStateJSON } from './io/manifest.js';
export type { OptimizerStateJSON } from './io/optimizer-state.js';
export {
  CHECKPOINT_PARTS,
  type CheckpointArtifacts,
  type CheckpointHandlers,
  type CheckpointLocation,
  type CheckpointPart,
  type CheckpointStore,
  type CheckpointStoreRouter,
  checkpointPartURL,
  registerCheckpointStoreRouter,
} from './io/store.js';
export { CHECKPOINT_FORMAT_VERSION, LIBRARY_VERSION } from './io/version.js';
export { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './kernels/adam-update.js';
export { FusedAdamOptimizer } from './kernels/fused-adam-optimizer.js';
export type { SavedTrainerOptions, TrainerExpectations, TrainerLoadOptions } from './train/trainer-io.js';

import { registerTrainerCheckpoints } from './io/trainer-checkpoint.js';

// Sampling (latent space)
export {
  type ClassSweep,
  classSweepLatents,
  INTERPOLATION_METHODS,
  type InterpolationMethod,
  interpolateLatents,
  type LatentPathOptions,
  latentPath,
  lerp,
  slerp,
  truncatedNormal,
} from './latent.js';
export type {
  ClassSweepOptions,
  InterpolateOptions,
  LatentInput,
  TruncatedSampleOptions,
  WalkOptions,
} from './latent-images.js';
// Layers
export {
  SpectralNormalization,
  type SpectralNormalizationArgs,
  spectralNormalization,
} from './layers/spectral-norm.js';
export * as lossFunctions from './losses/functional.js';
// Losses
export {
  type DiscriminatorLossOptions,
  type GanLoss,
  getLoss,
  hingeLoss,
  LOSS_NAMES,
  type LossName,
  leastSquaresLoss,
  minimaxLoss,
  nonSaturatingLoss,
  wassersteinLoss,
} from './losses/gan-loss.js';
export type { DcganOptions, DcganPreset, FastOptions, MlpOptions, MlpPreset, Recipe } from './presets/index.js';

// Presets
export * as presets from './presets/index.js';
export { type RandomState, SeededRandom, withSeededMathRandom } from './random.js';
// Regularizers
export {
  addInstanceNoise,
  clipWeights,
  DIFF_AUGMENT_POLICIES,
  DiffAugment,
  type DiffAugmentOptions,
  type DiffAugmentPolicy,
  type DiscriminatorPenalty,
  diffAugment,
  diffAugmentTransform,
  type EmaOptions,
  ExponentialMovingAverage,
  type GradientPenaltyOptions,
  gradientPenalty,
  type InputTransform,
  InstanceNoise,
  type InstanceNoiseOptions,
  inputGradient,
  instanceNoiseTransform,
  type PenaltyContext,
  r1Penalty,
  r2Penalty,
  squaredNorms,
  WGAN_CLIP_VALUE,
  wganGradientPenalty,
  type ZeroCenteredPenaltyOptions,
  zeroCenteredGradientPenalty,
} from './regularizers/index.js';
// Report
export {
  type AlarmRecord,
  type EvaluationRecord,
  type ParsedMetrics,
  parseMetricsJsonl,
  type ReportImage,
  type RunConfig,
  type RunInvocation,
  type RunReportData,
  type StepRecord,
} from './report/data.js';
export { type ReportAssets, renderRunReport } from './report/render.js';
export { MAX_SAMPLE_VALUES, SAMPLE_CHUNK } from './sampling.js';
// Logging (TensorBoard event files; writing them to disk is ts-gan/node's TensorBoardCallback)
export { crc32c, maskedCrc32c } from './tensorboard/crc32c.js';
export {
  decodeEvent,
  EVENT_FILE_VERSION,
  encodeEvent,
  fileVersionEvent,
  imageEvent,
  parseEventFile,
  type SessionStatus,
  scalarEvent,
  sessionStartEvent,
  type TensorBoardEvent,
  type TensorBoardImage,
  type TensorBoardValue,
} from './tensorboard/events.js';
export { readTfRecords, tfRecord } from './tensorboard/records.js';
export type { StepContext, StepFunction, StepTensors } from './train/custom-step.js';
export type { RegularizerOptions, Regularizers } from './train/regularizer-options.js';
export { standardStep } from './train/standard-step.js';
export { type FitOptions, Trainer, type TrainerOptions } from './train/trainer.js';
export {
  type DiscriminatorUpdateOptions,
  type DiscriminatorUpdateResult,
  discriminatorUpdate,
  type GeneratorUpdateOptions,
  generatorUpdate,
  trainableVariables,
} from './train/updates.js';
export type { GANConfig, NetworkContext, NetworkFactory, StepLogs } from './types.js';

// Trainer.save and Trainer.load go through the checkpoint module, which the trainer does not
// import. Called here, and package.json lists this entry under "sideEffects", so that a bundler
// that skips side-effect-free modules still runs the registration.
registerTrainerCheckpoints();
