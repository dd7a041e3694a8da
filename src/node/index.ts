/**
 * ts-gan's Node-only helpers: MNIST, other IDX sets and image folders from local files, PNG grids, a terminal progress bar,
 * TensorBoard event files, run reports, and files for checkpoints and models (one writer per
 * folder, enforced by a lock file). Importing this entry registers the file handlers for `file://`
 * URLs and plain paths (see registerFileRouter); it changes nothing else.
 *
 * @packageDocumentation
 */

export {
  fileCheckpointStore,
  fileHandler,
  filePath,
  findCheckpoint,
  isFileLocation,
  registerFileRouter,
} from './file-io.js';
export {
  type FolderLock,
  type FolderLockOwner,
  type LockFolderOptions,
  lockFolder,
  readFolderLock,
  withFolderLock,
} from './folder-lock.js';
export { type IdxDataset, type LoadIdxOptions, loadIdx } from './idx-dataset.js';
export { type ImageDataset, type LoadImageFolderOptions, loadImageFolder } from './image-folder.js';
export { type ImageFolderStream, type StreamImageFolderOptions, streamImageFolder } from './image-stream.js';
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
export {
  readEvents,
  TENSORBOARD_IMAGE_TAG,
  TensorBoardCallback,
  type TensorBoardOptions,
  tensorBoardLogger,
} from './tensorboard.js';

import { registerFileRouter } from './file-io.js';

// Importing ts-gan/node makes `file://` URLs and plain paths work in gan.save, Trainer.load,
// model.save and tf.loadLayersModel.
registerFileRouter();
