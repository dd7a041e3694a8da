/**
 * ts-gan's Node-only helpers: MNIST from local files, PNG grids, a terminal progress bar, run reports, and
 * files for checkpoints and models. Importing this entry registers the file handlers for
 * `file://` URLs and plain paths (see registerFileRouter); it changes nothing else.
 *
 * @packageDocumentation
 */

export {
  fileCheckpointStore,
  fileHandler,
  filePath,
  isFileLocation,
  registerFileRouter,
} from './file-io.js';
export {
  findMnistFiles,
  type LoadMnistOptions,
  loadMnist,
  type MnistData,
  type MnistSplit,
  mnistDataDir,
  readIdxFile,
} from './mnist.js';
export { encodeImageGrid, type ImageGridOptions, imageGridSize, writeImageGrid } from './png.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
export {
  loadReportAssets,
  REPORT_HTML,
  type RunReportOptions,
  readRunReport,
  writeRunReport,
} from './report.js';

import { registerFileRouter } from './file-io.js';

// Importing ts-gan/node makes `file://` URLs and plain paths work in gan.save, Trainer.load,
// model.save and tf.loadLayersModel.
registerFileRouter();
