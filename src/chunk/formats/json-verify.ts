import { StringDecoder } from 'node:string_decoder';
import { WeftError } from '../../errors.js';

/** stream-chain's end-of-input marker (a registered symbol), which flushes a stream-json stage. */
const NONE = Symbol.for('object-stream.none');

/** A stream-json pipeline stage called directly: text in, nothing out, throws on invalid JSON. */
type Stage = (input: string | symbol) => AsyncIterable<unknown>;

/** The error stream-json's verifier throws: 1-based line and position, 0-based offset in characters. */
interface VerifierError extends Error {
  line?: number;
  pos?: number;
  offset?: number;
}

/**
 * Maps character offsets of decoded text back to byte offsets. Keeps only a window of recent
 * text: the verifier reports errors at most a token or so behind what it has been given.
 */
class CharOffsets {
  private text = '';
  private chars0 = 0;

  constructor(private bytes0: number) {}

  add(s: string): void {
    this.text += s;
    if (this.text.length <= 1 << 16) return;
    let drop = this.text.length - (1 << 14);
    const c = this.text.charCodeAt(drop - 1);
    if (c >= 0xd800 && c <= 0xdbff) drop--; // never split a surrogate pair
    this.bytes0 += Buffer.byteLength(this.text.slice(0, drop));
    this.chars0 += drop;
    this.text = this.text.slice(drop);
  }

  /** Characters added so far. */
  get total(): number {
    return this.chars0 + this.text.length;
  }

  /** Byte offset of character `c`, if still known. */
  bytes(c: number): number | undefined {
    if (c < this.chars0) return undefined;
    return this.bytes0 + Buffer.byteLength(this.text.slice(0, c - this.chars0));
  }
}

/**
 * Validates a JSON text piece by piece with stream-json's streaming verifier (never holding the
 * whole input) and turns its complaints into WeftErrors (E_JSON) with line, column and byte offset.
 */
export class JsonVerifier {
  private readonly decoder = new StringDecoder('utf8');
  private readonly offsets: CharOffsets;

  /** `base` is the byte offset of the first byte fed (3 after a stripped BOM). */
  constructor(
    private readonly stage: Stage,
    private readonly name: string,
    base: number,
  ) {
    this.offsets = new CharOffsets(base);
  }

  /** Loads stream-json (only JSON input pays for it) and makes a verifier. */
  static async create(name: string, base: number): Promise<JsonVerifier> {
    const { default: verifier } = await import('stream-json/utils/verifier.js');
    return new JsonVerifier(verifier() as unknown as Stage, name, base);
  }

  /** Checks the next piece; throws E_JSON at the first error. */
  async feed(piece: Buffer): Promise<void> {
    const text = this.decoder.write(piece);
    if (text) await this.run(text);
  }

  /** Input ended: throws E_JSON if the text is incomplete. */
  async end(): Promise<void> {
    const text = this.decoder.end();
    if (text) await this.run(text);
    await this.run(NONE, true);
  }

  private async run(input: string | symbol, last = false): Promise<void> {
    if (typeof input === 'string') this.offsets.add(input);
    try {
      for await (const _ of this.stage(input));
    } catch (err) {
      throw this.located(err as VerifierError, last);
    }
  }

  /** The verifier's error as a WeftError; `last`: it came from the end-of-input flush. */
  private located(err: VerifierError, last: boolean): WeftError {
    const raw = String(err?.message ?? err).replace(/^ERROR at \d+ \(\d+, \d+\): /, '');
    const ended = /has expected/.test(raw) || (last && (err?.offset ?? 0) >= this.offsets.total);
    const what = raw.replace(/^Verifier (cannot parse input|has expected)(: )?/, '').trim();
    // stream-json says "escaped characters" for a raw control character or a bad \ escape.
    const said = what === 'escaped characters' ? 'a control character or a bad \\ escape in a string' : what;
    const message = ended
      ? `invalid JSON: unexpected end of input (expected ${said})`
      : `invalid JSON: ${said || raw}`;
    const offset = typeof err?.offset === 'number' ? this.offsets.bytes(err.offset) : undefined;
    return new WeftError('E_JSON', message, {
      location: { file: this.name, line: err?.line, column: err?.pos, offset },
      cause: err,
    });
  }
}
