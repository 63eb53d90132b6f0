/**
 * Reads a Kubernetes list page (`{"kind":..., "metadata": {...}, "items": [{...}, ...]}`) as it streams in, one item
 * at a time: the chunks are scanned for the top-level `items` array, each element's text is cut out and parsed on
 * its own and handed to the caller, and the page's text is never held whole. So only one full object lives at a
 * time, and no megabyte-sized page string lands in V8's large-object space (a page of 500 Deployments is 2 MB of
 * text and, parsed at once, 10 MB of objects: the garbage that kept a fresh process' heap high after its first list).
 */
export interface ListPageMetadata {
  resourceVersion?: string;
  continue?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export class ListItemScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1: the key being read, and whether the next string is a key. */
  private expectKey = false;
  private key = '';
  private keyPieces: string[] | undefined;
  private inItems = false;
  /** The text of the value being cut out (an item, or the page's metadata), in pieces across chunks. */
  private pieces: string[] | undefined;
  private captureStart = 0;
  private metadata: ListPageMetadata = {};
  items = 0;

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: string): void {
    if (this.pieces) this.captureStart = 0;
    let keyStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyPieces) {
            this.keyPieces.push(chunk.slice(keyStart, i));
            this.key = this.keyPieces.join('');
            this.keyPieces = undefined;
          }
        }
        continue;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.expectKey) {
            this.keyPieces = [];
            keyStart = i + 1;
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          this.depth++;
          if (this.depth === 1) this.expectKey = true;
          else if (this.depth === 2 && this.key === 'items' && c === OPEN_BRACKET) this.inItems = true;
          else if ((this.depth === 3 && this.inItems) || (this.depth === 2 && this.key === 'metadata')) this.startCapture(i);
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (this.depth === 3 && this.inItems && this.pieces) {
            this.items++;
            this.onItem(JSON.parse(this.endCapture(chunk, i + 1)));
          }
          else if (this.depth === 2 && this.inItems) this.inItems = false;
          else if (this.depth === 2 && this.key === 'metadata' && this.pieces) this.metadata = JSON.parse(this.endCapture(chunk, i + 1)) as ListPageMetadata;
          this.depth--;
          break;
        case COLON:
          if (this.depth === 1) this.expectKey = false;
          break;
        case COMMA:
          if (this.depth === 1) this.expectKey = true;
          break;
        default:
      }
    }
    if (this.keyPieces) this.keyPieces.push(chunk.slice(keyStart));
    if (this.pieces) this.pieces.push(chunk.slice(this.captureStart));
  }

  /** The page's metadata, once the whole page is written; throws when the text ended inside a value. */
  end(): ListPageMetadata {
    if (this.depth !== 0 || this.inString) throw new SyntaxError('the list page ended in the middle of a JSON value');
    return this.metadata;
  }

  private startCapture(at: number): void {
    this.pieces = [];
    this.captureStart = at;
  }

  private endCapture(chunk: string, end: number): string {
    const pieces = this.pieces!;
    pieces.push(chunk.slice(this.captureStart, end));
    this.pieces = undefined;
    return pieces.length === 1 ? pieces[0]! : pieces.join('');
  }
}

/** The whole page at once (tests, small pages): calls onItem with each item and returns the page's metadata. */
export function forEachListItem(text: string, onItem: (item: unknown) => void): ListPageMetadata {
  const scanner = new ListItemScanner(onItem);
  scanner.write(text);
  return scanner.end();
}
