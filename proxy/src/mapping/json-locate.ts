/**
 * Finds where a JSON path (`['companies', 'usmf', 'currency']`) sits in the text of a JSON file, so a
 * config error can say "line 12, column 20" instead of only the path. The text has already passed
 * `JSON.parse`, so this walker assumes valid JSON and only tracks offsets.
 */

export interface TextPosition {
  line: number;
  column: number;
}

export type JsonPath = ReadonlyArray<string | number>;

/** Line and column (1-based) of a character offset. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Position of the deepest part of `path` that exists in the text: the value itself when it is there,
 * otherwise the object or array that should have held it (a missing key is reported at its parent).
 */
export function locateJsonPath(text: string, path: JsonPath): TextPosition | undefined {
  const walker = new Walker(text);
  try {
    walker.skipWs();
    let offset = walker.pos;
    for (const step of path) {
      const found = walker.enter(step);
      if (found === undefined) break;
      offset = found;
    }
    return positionAt(text, offset);
  } catch {
    return undefined;
  }
}

/** The offset named in a `JSON.parse` syntax error message (`… at position 42 …`), if any. */
export function syntaxErrorPosition(text: string, message: string): TextPosition | undefined {
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (pos) return positionAt(text, Number(pos[1]));
  if (/Unexpected end of JSON input/.test(message)) return positionAt(text, text.length);
  return undefined;
}

class Walker {
  pos = 0;
  constructor(private readonly text: string) {}

  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  /** With `pos` at a value: move into child `step` and return its offset, or undefined when absent. */
  enter(step: string | number): number | undefined {
    const ch = this.text[this.pos];
    if (ch === '{' && typeof step === 'string') {
      this.pos++;
      this.skipWs();
      let found: number | undefined;
      while (this.text[this.pos] !== '}') {
        const key = this.readString();
        this.skipWs();
        this.pos++; // ':'
        this.skipWs();
        // JSON.parse keeps the last duplicate key, so keep scanning and remember the last match.
        if (key === step) found = this.pos;
        this.skipValue();
        this.skipWs();
        if (this.text[this.pos] === ',') {
          this.pos++;
          this.skipWs();
        }
      }
      if (found !== undefined) this.pos = found;
      return found;
    }
    if (ch === '[' && typeof step === 'number') {
      this.pos++;
      this.skipWs();
      let index = 0;
      while (this.text[this.pos] !== ']') {
        if (index === step) return this.pos;
        this.skipValue();
        this.skipWs();
        if (this.text[this.pos] === ',') {
          this.pos++;
          this.skipWs();
        }
        index++;
      }
      return undefined;
    }
    return undefined;
  }

  private readString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    while (this.text[this.pos] !== '"') {
      if (this.text[this.pos] === '\\') this.pos++;
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private skipValue(): void {
    const ch = this.text[this.pos];
    if (ch === '"') {
      this.readString();
      return;
    }
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      this.pos++;
      this.skipWs();
      while (this.text[this.pos] !== close) {
        if (ch === '{') {
          this.readString();
          this.skipWs();
          this.pos++; // ':'
          this.skipWs();
        }
        this.skipValue();
        this.skipWs();
        if (this.text[this.pos] === ',') {
          this.pos++;
          this.skipWs();
        }
      }
      this.pos++;
      return;
    }
    // number, true, false, null
    while (this.pos < this.text.length && !/[\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
  }
}
