/**
 * ts-gan's Node-only helpers: MNIST from local files, PNG grids, a terminal progress bar.
 * Importing this entry never changes the main entry's behaviour.
 *
 * @packageDocumentation
 */
export { loadMnist, mnistDataDir, findMnistFiles, readIdxFile, type LoadMnistOptions, type MnistData, type MnistSplit } from './mnist.js';
export { encodeImageGrid, writeImageGrid, imageGridSize, type ImageGridOptions } from './png.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
