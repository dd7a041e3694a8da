/**
 * Safe text for the report page: everything that comes from a run folder (which may be someone
 * else's) passes through these before it reaches HTML or a script.
 *
 * @packageDocumentation
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` are written as `\u003c`
 * and so on (so no `</script>` or `<!--` can end or change the element), and so are the line
 * separators U+2028 and U+2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** A raster image as base64: the only kind of URL the page ever loads. */
const IMAGE_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}$/;

/** Whether `url` is a base64 `data:` URL of a PNG, JPEG, GIF or WebP image (nothing that fetches). */
export function isImageDataUrl(url: string): boolean {
  return IMAGE_DATA_URL.test(url);
}

/** Characters a POSIX shell reads literally in an unquoted word. */
const SHELL_SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** Quotes one argument for a POSIX shell: unchanged when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its arguments, each quoted for a POSIX shell. */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

/** A value of a configuration table as text: strings as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
