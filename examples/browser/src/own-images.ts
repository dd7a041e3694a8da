/**
 * "Train on your own pictures": the drop zone and the two pickers (files, or a whole folder), the
 * size, channel and augmentation controls, and the preview grid. Decoding runs in
 * ./decode-worker.ts; the page keeps the decoded Float32Array and hands a copy to each training
 * worker it starts (./main.ts), so a change of backend never decodes again.
 */

import { type FoundFile, filesFromDrop, filesFromInput, splitPictures } from './collect-files';
import type { DecodeReply, DecodeRequest } from './decode-worker';
import { drawGrid } from './draw';
import type { DemoState, OwnImagesState } from './page-state';
import type { OwnData } from './protocol';

/**
 * Augmentation is on by default below this many pictures. The fast recipe's 3,000 steps of 32
 * show the discriminator 96,000 pictures: 48 passes over 2,000, more over fewer, which is where a
 * discriminator starts to memorise (Zhao et al. 2020; Karras et al. 2020). A rule of thumb, not a
 * measurement: the checkbox overrides it.
 */
export const AUGMENT_BELOW = 2000;
/** At most this many pictures are kept (the first by path): 10,000 colour pictures of 64 px take 490 MB as floats. */
export const MAX_PICTURES = 10_000;
/** The preview shows the first 256 pictures, up to 16 to a row. */
const PREVIEW_COLUMNS = 16;
const PREVIEW_MAX = 256;
/** Defaults from the pictures: colour ones at 32 px, grey ones at MNIST's 28 px. */
const COLOUR_DEFAULT = { size: 32, channels: 3 } as const;
const GREY_DEFAULT = { size: 28, channels: 1 } as const;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The decoded pictures of the last drop. */
interface Decoded {
  pixels: Float32Array;
  shape: [number, number, number, number];
}

export class OwnImages {
  /** Changes whenever the pictures or the augmentation change: a run on an older version is stale. */
  version = 0;
  private readonly ui = {
    zone: $<HTMLDivElement>('drop-zone'),
    files: $<HTMLInputElement>('pick-files'),
    folder: $<HTMLInputElement>('pick-folder'),
    size: $<HTMLSelectElement>('own-size'),
    channels: $<HTMLSelectElement>('own-channels'),
    augment: $<HTMLInputElement>('own-augment'),
    augmentNote: $('own-augment-note'),
    clear: $<HTMLButtonElement>('own-clear'),
    status: $<HTMLParagraphElement>('own-status'),
    grid: $<HTMLCanvasElement>('own-grid'),
  };
  private pictures: File[] = [];
  private decoded: Decoded | undefined;
  private decoder: Worker | undefined;
  private request = 0;
  private locked = false;
  /** Whether the person set the augmentation checkbox for this drop (else the rule sets it). */
  private augmentTouched = false;

  /** @param onChange - called when the pictures or the settings change, and when decoding starts or ends. */
  constructor(
    private readonly state: DemoState,
    private readonly onChange: () => void,
  ) {
    const { zone, files, folder, size, channels, augment, clear } = this.ui;
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (this.locked) return this.say('Pause training before dropping new pictures.', true);
      if (e.dataTransfer) void filesFromDrop(e.dataTransfer).then((found) => this.accept(found));
    });
    for (const input of [files, folder]) {
      input.addEventListener('change', () => {
        const found = filesFromInput(input.files ?? []);
        input.value = '';
        this.accept(found);
      });
    }
    size.addEventListener('change', () => this.decode(Number(size.value), Number(channels.value) as 1 | 3));
    channels.addEventListener('change', () => this.decode(Number(size.value), Number(channels.value) as 1 | 3));
    augment.addEventListener('change', () => {
      if (this.state.own) this.state.own.augment = augment.checked;
      this.augmentTouched = true;
      this.showAugment();
      this.changed();
    });
    clear.addEventListener('click', () => this.clear());
    this.setLocked(false);
  }

  /** The pictures to train on, a copy the training worker may keep; undefined: train on the digits. */
  data(): OwnData | undefined {
    const own = this.state.own;
    if (!this.decoded || !own || own.decoding) return undefined;
    return { pixels: this.decoded.pixels.slice(), shape: this.decoded.shape, augment: own.augment };
  }

  /** Whether the next run trains on own pictures. */
  get active(): boolean {
    return this.decoded !== undefined;
  }

  /** Whether a decoding is under way (the page waits with Start). */
  get busy(): boolean {
    return this.state.own?.decoding === true;
  }

  /** Locks the controls while training runs. */
  setLocked(locked: boolean): void {
    this.locked = locked;
    const { files, folder, size, channels, augment, clear, zone } = this.ui;
    for (const el of [files, folder]) el.disabled = locked;
    for (const el of [size, channels, augment]) el.disabled = locked || !this.state.own;
    clear.disabled = locked || !this.decoded;
    zone.classList.toggle('locked', locked);
  }

  /** Takes the files of a drop or a pick: pictures are decoded, the rest counted and skipped. */
  private accept(found: FoundFile[]): void {
    const { pictures, others } = splitPictures(found);
    if (pictures.length === 0) {
      const what = found.length === 0 ? 'no files' : `${count(found.length, 'file')}, none of them a picture`;
      this.say(
        `Nothing to train on: that was ${what}. Drop PNG, JPEG, GIF, WebP, BMP or AVIF pictures, or a folder of them.`,
        true,
      );
      return;
    }
    this.pictures = pictures.slice(0, MAX_PICTURES).map((f) => f.file);
    this.decoded = undefined;
    this.augmentTouched = false;
    this.state.own = {
      found: found.length,
      images: 0,
      notPictures: others.length,
      undecodable: 0,
      shown: 0,
      ...COLOUR_DEFAULT,
      colour: false,
      augment: this.pictures.length < AUGMENT_BELOW,
      decoding: true,
    };
    // First in colour at 32 px; grey pictures are decoded once more at 28 px, 1 channel.
    this.decode(COLOUR_DEFAULT.size, COLOUR_DEFAULT.channels, true);
  }

  /** Decodes the pictures at `size` and `channels` in the decoding worker. */
  private decode(size: number, channels: 1 | 3, auto = false): void {
    const own = this.state.own;
    if (!own) return;
    Object.assign(own, { size, channels, decoding: true });
    this.ui.size.value = String(size);
    this.ui.channels.value = String(channels);
    this.say(`Decoding ${count(this.pictures.length, 'picture')}...`);
    this.changed();
    const id = ++this.request;
    this.decoder ??= new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module' });
    this.decoder.onmessage = (event: MessageEvent<DecodeReply>) => {
      const m = event.data;
      if (m.id !== this.request) return; // a newer request replaced this one
      if (m.type === 'progress') this.say(`Decoding ${m.done.toLocaleString('en')} of ${count(m.total, 'picture')}...`);
      else if (m.type === 'error') this.failed(m.message);
      else if (auto && !m.colour && m.files.length > 0) this.decode(GREY_DEFAULT.size, GREY_DEFAULT.channels);
      else this.decodedAll(m, auto);
    };
    const request: DecodeRequest = { id, files: this.pictures, size, channels };
    this.decoder.postMessage(request);
  }

  private decodedAll(m: DecodeReply & { type: 'decoded' }, firstPass: boolean): void {
    const own = this.state.own as OwnImagesState;
    if (firstPass || own.channels === 3) own.colour = own.colour || m.colour;
    own.decoding = false;
    own.undecodable = m.skipped.length;
    own.images = m.files.length;
    if (m.files.length === 0) {
      this.decoded = undefined;
      own.shown = 0;
      const first = m.skipped[0];
      this.failed(
        `none of the ${count(m.skipped.length, 'picture')} could be decoded` +
          (first ? ` (${first.file}: ${first.reason})` : ''),
      );
      return;
    }
    this.decoded = { pixels: m.pixels, shape: m.shape };
    const [n, side, , channels] = m.shape;
    if (!this.augmentTouched) own.augment = n < AUGMENT_BELOW;
    own.shown = Math.min(n, PREVIEW_MAX);
    const columns = Math.min(PREVIEW_COLUMNS, own.shown);
    drawGrid(this.ui.grid, m.pixels, columns, Math.ceil(own.shown / columns), { side, channels });
    this.ui.grid.hidden = false;
    document.body.classList.add('own-data');
    const skipped = [
      own.notPictures > 0
        ? `${count(own.notPictures, 'file')} that ${own.notPictures === 1 ? 'is' : 'are'} not a picture`
        : '',
      own.undecodable > 0
        ? `${count(own.undecodable, 'picture')} that could not be decoded (${m.skipped
            .slice(0, 3)
            .map((s) => s.file)
            .join(', ')}${own.undecodable > 3 ? ', ...' : ''})`
        : '',
    ].filter(Boolean);
    const capped =
      this.pictures.length < own.found - own.notPictures
        ? ` (the first ${count(MAX_PICTURES, 'picture')} by path)`
        : '';
    this.say(
      `${count(n, 'picture')}${capped} at ${side}x${side}, ${channels === 3 ? 'colour' : 'grey'}` +
        `${own.shown < n ? `; the grid shows the first ${own.shown}` : ''}. ` +
        (skipped.length ? `Skipped ${skipped.join(' and ')}. ` : '') +
        'Press Start to train on them.',
    );
    this.showAugment();
    this.changed();
  }

  private failed(message: string): void {
    const own = this.state.own;
    if (own) own.decoding = false;
    this.decoded = undefined;
    this.ui.grid.hidden = true;
    document.body.classList.remove('own-data');
    this.say(`Nothing to train on: ${message}.`, true);
    this.changed();
  }

  /** Back to the digits. */
  private clear(): void {
    this.pictures = [];
    this.decoded = undefined;
    this.state.own = null;
    this.ui.grid.hidden = true;
    this.ui.augmentNote.textContent = '';
    document.body.classList.remove('own-data');
    this.say('The next run trains on the MNIST digits.');
    this.changed();
  }

  private showAugment(): void {
    const own = this.state.own;
    if (!own) return;
    this.ui.augment.checked = own.augment;
    const rule = own.images < AUGMENT_BELOW ? 'fewer than' : 'at least';
    this.ui.augmentNote.textContent =
      `Augmentation ${own.augment ? 'on' : 'off'} (DiffAugment: colour, translation, cutout); ` +
      `on by default below ${AUGMENT_BELOW.toLocaleString('en')} pictures, and this set has ${rule} that.`;
  }

  private say(text: string, error = false): void {
    this.ui.status.textContent = text;
    this.ui.status.classList.toggle('error', error);
  }

  private changed(): void {
    this.version++;
    this.setLocked(this.locked);
    this.onChange();
  }
}
