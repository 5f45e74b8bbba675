{{ header -}}
//
// Errors: every failure of a call is a CairnError whose `kind` is one of
// the spec's stable error kinds (each with its own subclass and HTTP
// status), a kind the HTTP transport adds, or a kind of the client itself.

import type { WireValue } from "./wire.js";

/** The stable error kinds of the spec's `:errors` table. */
export type SpecErrorKind ={% for k in kinds %}
  | "{{ k.name }}"{% endfor %};

/** Kinds the HTTP transport adds (the spec's `:transport-errors` table). */
export type TransportErrorKind ={% for k in transport %}
  | "{{ k.name }}"{% endfor %};

/**
 * Kinds the client raises itself, with status 0: `network` (the request
 * could not be sent or the answer not received), `protocol` (the answer
 * is not what the API promises) and `version` (the server was built from
 * another spec than this client).
 */
export type ClientErrorKind = "network" | "protocol" | "version";

/** Every kind a {@link CairnError} can have. */
export type ErrorKind = SpecErrorKind | TransportErrorKind | ClientErrorKind;

/** The HTTP status of each transport error kind, and when it is answered. */
export const TRANSPORT_ERROR_STATUS: { readonly [K in TransportErrorKind]: number } = {
{%- for k in transport %}
  /** {{ k.doc }} */
  "{{ k.name }}": {{ k.status }},
{%- endfor %}
};

/** The HTTP status the server answers each spec error kind with. */
export const ERROR_STATUS: { readonly [K in SpecErrorKind]: number } = {
{%- for k in kinds %}
  "{{ k.name }}": {{ k.status }},
{%- endfor %}
};

const KNOWN_KINDS: ReadonlySet<string> = new Set<ErrorKind>([
{%- for k in kinds %}
  "{{ k.name }}",
{%- endfor %}
{%- for k in transport %}
  "{{ k.name }}",
{%- endfor %}
  "network",
  "protocol",
  "version",
]);

/** Where in the input a syntax error is (1-based). */
export type ErrorPos = { line: number | bigint; col: number | bigint };

/** A failed call: the error's kind, the HTTP status, the server's message. */
export class CairnError extends Error {
  /** The error kind (`schema`, `unique`, `syntax`, ..., `unauthorized`, `network`). */
  readonly kind: ErrorKind;
  /** The HTTP status of the answer; 0 when the client raised it before or without one. */
  readonly status: number;
  /** Where in the input a syntax error is, when the server knows. */
  readonly pos: ErrorPos | undefined;
  /** Details the server attached (an ex-data map), if any. */
  readonly data: WireValue | undefined;

  constructor(
    kind: ErrorKind,
    status: number,
    message: string,
    details: { pos?: ErrorPos | undefined; data?: WireValue | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.status = status;
    this.pos = details.pos;
    this.data = details.data;
  }

  /**
   * The error an answer with a non-2xx `status` and a parsed `body`
   * (`{"kind", "message", "pos"?, "data"?}`) stands for: an instance of
   * the kind's subclass.
   */
  static fromAnswer(status: number, body: WireValue): CairnError {
    if (body === null || typeof body !== "object" || Array.isArray(body) || body instanceof Date) {
      return new CairnError("protocol", status, `HTTP ${status} without an error object: ${String(body)}`);
    }
    const kind = body["kind"];
    const message = body["message"];
    const text = typeof message === "string" ? message : `HTTP ${status}`;
    const pos = readPos(body["pos"]);
    const data = body["data"];
    if (typeof kind !== "string" || !KNOWN_KINDS.has(kind)) {
      return new CairnError("protocol", status, `Unknown error kind ${String(kind)}: ${text}`, { pos, data });
    }
    const known = kind as ErrorKind;
    const cls: ErrorClass | undefined = (ERROR_CLASSES as { readonly [k: string]: ErrorClass })[known];
    return cls !== undefined
      ? new cls(known, status, text, { pos, data })
      : new CairnError(known, status, text, { pos, data });
  }
}

function readPos(v: WireValue | undefined): ErrorPos | undefined {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v) || v instanceof Date) {
    return undefined;
  }
  const line = v["line"];
  const col = v["col"];
  const isInt = (x: unknown): x is number | bigint => typeof x === "number" || typeof x === "bigint";
  return isInt(line) && isInt(col) ? { line, col } : undefined;
}
{% for k in kinds %}
/** Error kind `{{ k.name }}` (HTTP {{ k.status }}): {{ k.doc }} */
export class {{ k.class }} extends CairnError {
  declare readonly kind: "{{ k.name }}";
}
{% endfor %}
type ErrorClass = new (
  kind: ErrorKind,
  status: number,
  message: string,
  details?: { pos?: ErrorPos | undefined; data?: WireValue | undefined; cause?: unknown },
) => CairnError;

/** The subclass of each spec error kind. */
export const ERROR_CLASSES: { readonly [K in SpecErrorKind]: ErrorClass } = {
{%- for k in kinds %}
  "{{ k.name }}": {{ k.class }},
{%- endfor %}
};
