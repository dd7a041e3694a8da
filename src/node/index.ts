/**
 * ts-gan's Node-only helpers: MNIST from local files, PNG grids, a terminal progress bar, and
 * files for checkpoints and models. Importing this entry registers the file handlers for
 * `file://` URLs and plain paths (see registerFileRouter); it changes nothing else.
 *
 * @packageDocumentation
 */
export { loadMnist, mnistDataDir, findMnistFiles, readIdxFile, type LoadMnistOptions, type MnistData, type MnistSplit } from './mnist.js';
export { encodeImageGrid, writeImageGrid, imageGridSize, type ImageGridOptions } from './png.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
export {
  fileHandler,
  fileCheckpointStore,
  registerFileRouter,
  isFileLocation,
  filePath,
} from './file-io.js';

import { registerFileRouter } from './file-io.js';

// Importing ts-gan/node makes `file://` URLs and plain paths work in gan.save, Trainer.load,
// model.save and tf.loadLayersModel.
registerFileRouter();
