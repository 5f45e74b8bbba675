{{ header -}}
//
// The JSON wire rule (the same in every Cairn binding): object keys become
// keywords ("person/name" is :person/name), a string starting with ":" is a
// keyword, "\\:x" is the literal string ":x"; numbers, booleans, null,
// arrays and objects are literal. What plain JSON cannot say travels as a
// tagged object with one "#" key: {"#inst": ".."}, {"#uuid": ".."},
// {"#set": [..]}, {"#list": [..]}, {"#edn": "any EDN text"}.
//
// Longs are 64-bit: parseJson keeps integers outside the safe range of a
// JavaScript number (±(2^53 - 1)) exact as bigint, and stringifyJson writes
// a bigint as a bare integer literal.

import { CairnError } from "./errors.js";

/** An instant: `{"#inst": "2024-01-01T00:00:00.000Z"}`. */
export type InstTag = { readonly "#inst": string };
/** A UUID: `{"#uuid": "..."}`. */
export type UuidTag = { readonly "#uuid": string };
/** Any EDN value as text: `{"#edn": "#{1 2}"}`. */
export type EdnTag = { readonly "#edn": string };
/** A set: `{"#set": [..]}`. */
export type SetTag = { readonly "#set": WireValue[] };
/** A list: `{"#list": [..]}`. */
export type ListTag = { readonly "#list": WireValue[] };

/** An object under the wire rule: keys become keywords; undefined values are left out. */
export type WireObject = { [key: string]: WireValue | undefined };

/**
 * Any value under the wire rule. A `Date` is sent as an instant; a
 * `bigint` as an exact integer; tagged objects ({@link InstTag},
 * {@link UuidTag}, {@link EdnTag}, {@link SetTag}, {@link ListTag}) are
 * objects. Answers never hold a `Date` (instants come back as RFC 3339
 * strings) but hold a `bigint` for every integer beyond 2^53.
 */
export type WireValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | WireValue[]
  | WireObject;

/** A keyword: `keyword("person/name")` is `":person/name"`. */
export function keyword(name: string): `:${string}` {
  if (name.length === 0 || name === ":") {
    throw new CairnError("type", 0, "A keyword needs a name");
  }
  return name.startsWith(":") ? (name as `:${string}`) : `:${name}`;
}

/**
 * An instant from a `Date`, epoch milliseconds or an RFC 3339 string:
 * `{"#inst": "2024-01-01T00:00:00.000Z"}`.
 */
export function inst(t: Date | number | string): InstTag {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) {
    throw new CairnError("type", 0, `Invalid instant ${String(t)}`);
  }
  return { "#inst": d.toISOString() };
}

/** A UUID: `{"#uuid": s}`. */
export function uuid(s: string): UuidTag {
  return { "#uuid": s };
}

/** Any EDN value as text (symbols, doubles like `1.0`, maps with non-keyword keys): `{"#edn": text}`. */
export function edn(text: string): EdnTag {
  return { "#edn": text };
}

/** A set: `{"#set": [..]}`. */
export function ednSet(items: Iterable<WireValue>): SetTag {
  return { "#set": Array.from(items) };
}

/** A list: `{"#list": [..]}`. */
export function ednList(items: Iterable<WireValue>): ListTag {
  return { "#list": Array.from(items) };
}

/** A string sent as itself even when it starts with ":" (which would make it a keyword). */
export function literalString(s: string): string {
  return s.startsWith(":") ? `\\${s}` : s;
}

/**
 * The text of a string of an answer: `"\\:x"` (a string that starts with
 * ":") is `":x"`; keywords (`":x"`) and other strings are unchanged.
 */
export function stringText(s: string): string {
  return s.startsWith("\\:") ? s.slice(1) : s;
}

/** Whether an answer's value is a keyword (a string starting with ":"). */
export function isKeyword(v: unknown): v is `:${string}` {
  return typeof v === "string" && v.length > 1 && v.startsWith(":");
}

const MAX_DEPTH = 512;

/**
 * Parses JSON text. Integers outside ±(2^53 - 1) become `bigint`, every
 * other number a `number`.
 */
export function parseJson(text: string): WireValue {
  const p = new Parser(text);
  p.space();
  const v = p.value(0);
  p.space();
  if (p.i < text.length) {
    p.fail("Unexpected text after the JSON value");
  }
  return v;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(why: string): never {
    throw new CairnError("protocol", 0, `Invalid JSON at offset ${this.i}: ${why}`);
  }

  space(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        this.i++;
      } else {
        break;
      }
    }
  }

  literal(word: string): void {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
    } else {
      this.fail(`expected ${word}`);
    }
  }

  value(depth: number): WireValue {
    if (depth > MAX_DEPTH) {
      this.fail("nested too deeply");
    }
    const c = this.s[this.i];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "t":
        this.literal("true");
        return true;
      case "f":
        this.literal("false");
        return false;
      case "n":
        this.literal("null");
        return null;
      default:
        if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
          return this.number();
        }
        return this.fail(c === undefined ? "unexpected end" : `unexpected ${JSON.stringify(c)}`);
    }
  }

  object(depth: number): WireObject {
    const out: WireObject = {};
    this.i++;
    this.space();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') {
        this.fail("expected a key");
      }
      const key = this.string();
      this.space();
      if (this.s[this.i] !== ":") {
        this.fail("expected ':'");
      }
      this.i++;
      this.space();
      const v = this.value(depth + 1);
      // "__proto__" is an ordinary key here, never the prototype.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.space();
      const c = this.s[this.i++];
      if (c === "}") {
        return out;
      }
      if (c !== ",") {
        this.i--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  array(depth: number): WireValue[] {
    const out: WireValue[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      out.push(this.value(depth + 1));
      this.space();
      const c = this.s[this.i++];
      if (c === "]") {
        return out;
      }
      if (c !== ",") {
        this.i--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= s.length) {
        this.i = i;
        this.fail("unterminated string");
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        break;
      }
      if (c === 0x5c) {
        escaped = true;
        i += 2;
      } else {
        if (c < 0x20) {
          this.i = i;
          this.fail("control character in string");
        }
        i++;
      }
    }
    this.i = i + 1;
    if (!escaped) {
      return s.slice(start + 1, i);
    }
    try {
      return JSON.parse(s.slice(start, i + 1)) as string;
    } catch {
      this.i = start;
      return this.fail("invalid escape in string");
    }
  }

  number(): number | bigint {
    const s = this.s;
    const start = this.i;
    let i = start;
    let integer = true;
    if (s[i] === "-") {
      i++;
    }
    const digits = (): void => {
      const from = i;
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
        i++;
      }
      if (i === from) {
        this.i = i;
        this.fail("expected a digit");
      }
    };
    if (s[i] === "0") {
      i++;
    } else {
      digits();
    }
    if (s[i] === ".") {
      integer = false;
      i++;
      digits();
    }
    if (s[i] === "e" || s[i] === "E") {
      integer = false;
      i++;
      if (s[i] === "+" || s[i] === "-") {
        i++;
      }
      digits();
    }
    this.i = i;
    const text = s.slice(start, i);
    const n = Number(text);
    if (integer && !Number.isSafeInteger(n)) {
      return BigInt(text);
    }
    return n;
  }
}

/**
 * Writes a value as JSON text: `bigint` as a bare integer literal, `Date`
 * as `{"#inst": iso}`, object entries whose value is `undefined` left out
 * (`undefined` in an array is `null`). Non-finite numbers, cycles and
 * values that are not plain data (functions, class instances other than
 * `Date`) are refused with a {@link CairnError} of kind `type`.
 */
export function stringifyJson(v: unknown): string {
  const out: string[] = [];
  write(v, out, new Set(), 0);
  return out.join("");
}

function write(v: unknown, out: string[], seen: Set<object>, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new CairnError("type", 0, "Value nested too deeply to send");
  }
  switch (typeof v) {
    case "undefined":
      out.push("null");
      return;
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(v)) {
        throw new CairnError("type", 0, `${v} cannot cross the JSON wire; use edn("##NaN") and the like`);
      }
      out.push(Object.is(v, -0) ? "0" : String(v));
      return;
    case "bigint":
      out.push(v.toString());
      return;
    case "string":
      out.push(JSON.stringify(v));
      return;
    case "object":
      break;
    default:
      throw new CairnError("type", 0, `A ${typeof v} cannot cross the JSON wire`);
  }
  if (v === null) {
    out.push("null");
    return;
  }
  if (v instanceof Date) {
    out.push(`{"#inst":${JSON.stringify(inst(v)["#inst"])}}`);
    return;
  }
  if (seen.has(v)) {
    throw new CairnError("type", 0, "A value that contains itself cannot cross the JSON wire");
  }
  seen.add(v);
  if (Array.isArray(v)) {
    out.push("[");
    v.forEach((x, i) => {
      if (i > 0) {
        out.push(",");
      }
      write(x, out, seen, depth + 1);
    });
    out.push("]");
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      throw new CairnError(
        "type",
        0,
        `A ${typeof name === "string" ? name : "class instance"} cannot cross the JSON wire; pass plain objects, arrays and the tagged values of keyword/inst/uuid/edn/ednSet/ednList`,
      );
    }
    out.push("{");
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) {
        continue;
      }
      if (!first) {
        out.push(",");
      }
      first = false;
      out.push(JSON.stringify(k), ":");
      write(x, out, seen, depth + 1);
    }
    out.push("}");
  }
  seen.delete(v);
}
