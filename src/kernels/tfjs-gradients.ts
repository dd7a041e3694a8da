/**
 * Loads tfjs-layers for one side effect: as it loads, it registers every gradient of tfjs (its Node
 * build carries its own copy of tfjs-core's gradient table), replacing any gradient registered
 * before. A module that puts the library's own gradient in place of one of tfjs's imports this
 * first, so that loading `ts-gan` (and with it tfjs-layers) after `useBackend` cannot put tfjs's
 * gradient back over the library's.
 *
 * @packageDocumentation
 */
import '@tensorflow/tfjs-layers';
