/**
 * ts-gan/metrics: offline evaluation of generative models. General metrics that take any feature
 * extractor (classifier score, Fréchet distance, KID, class histogram, confident and duplicate
 * shares), the MNIST and Fashion-MNIST judges that ship inside the package, and a training callback with a collapse
 * alarm. Browser-safe: no file system, no download.
 *
 * @packageDocumentation
 */

// Evaluation during training
export {
  type CollapseAlarmOptions,
  type CollapseEvent,
  EvaluationCallback,
  type EvaluationCallbackOptions,
  type Evaluator,
  mnistEvaluator,
} from './callback.js';
// Metrics on class probabilities
export {
  type ClassifierScoreOptions,
  classHistogram,
  classifierScore,
  confidentShare,
  klFromUniform,
} from './classifier.js';
export { DEFAULT_DUPLICATE_THRESHOLD, type DuplicateOptions, duplicateShare } from './duplicates.js';
// MNIST
export {
  type EvaluateMnistOptions,
  evaluateMnist,
  flattenMnistMetrics,
  type GeneratorSourceOptions,
  generatorSource,
  type MnistMetrics,
} from './evaluate.js';
// Features
export {
  type ExtractOptions,
  extractFeatures,
  type FeatureExtractor,
  type ImageSource,
  tensorSource,
} from './extract.js';
// Fashion-MNIST
export {
  evaluateFashion,
  FASHION_CLASSES,
  FashionJudge,
  fashionTestFeatureSample,
  fashionTestStatistics,
} from './fashion-judge.js';
export { frechetDistance } from './frechet.js';
export {
  type JudgeOutputs,
  type JudgeRunOptions,
  MnistJudge,
  mnistTestFeatureSample,
  mnistTestStatistics,
} from './judge.js';
export { buildJudgeArchitecture, JUDGE_FEATURE_DIM } from './judge-model.js';
export { type KidOptions, type KidResult, kernelInceptionDistance } from './kid.js';
export {
  featureStatistics,
  type GaussianStatistics,
  type MatrixLike,
  type SampleMatrix,
  toSampleMatrix,
} from './matrix.js';
export { type MetricsSelfCheck, metricsSelfCheck } from './self-check.js';
