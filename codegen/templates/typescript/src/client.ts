{{ header -}}
//
// The client: one async method per operation the spec exposes to
// TypeScript, each a POST of its positional arguments to the operation's
// path on a `cairn serve` server.

import { CairnError } from "./errors.js";
import type {
{%- for t in type_names %}
  {{ t }},
{%- endfor %}
} from "./types.js";
import { parseJson, stringifyJson } from "./wire.js";
import type { WireValue } from "./wire.js";

/** The hash of the API spec this client was generated from. */
export const SPEC_HASH = "{{ spec_hash }}";

/** What the client needs of `fetch` (the global one satisfies it). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ readonly status: number; readonly ok: boolean; text(): Promise<string> }>;

/** How to reach the server. */
export type ClientOptions = {
  /** The server's base URL, e.g. `http://127.0.0.1:8080` (what `cairn serve` prints). */
  url: string;
  /** The bearer token the server was started with (`cairn serve --token T`). */
  token?: string | undefined;
  /** A `fetch` to use instead of the global one. */
  fetch?: FetchLike | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /**
   * Before the first call, check that the server was built from the spec
   * this client was generated from (`GET /health`); every call of a client
   * talking to another spec fails with kind `version`. Default `true`.
   */
  checkServer?: boolean | undefined;
};

/** Each operation's spec name with its method name and HTTP path. */
export const OPERATIONS = {
{%- for op in ops %}
  "{{ op.name }}": { method: "{{ op.method }}", path: "{{ op.path }}" },
{%- endfor %}
} as const;

/** The spec name of an operation this client exposes (`"database-exists?"`). */
export type OperationName = keyof typeof OPERATIONS;

/** The method name of an operation this client exposes (`"databaseExists"`). */
export type MethodName = (typeof OPERATIONS)[OperationName]["method"];

/** What `GET /health` answers. */
export type Health = { status: string; "spec-hash": string };

/**
 * A client of a Cairn server (`cairn serve`). Every method sends one HTTP
 * request and resolves with the result under the JSON wire rule, or
 * rejects with a {@link CairnError}.
 *
 * @example
 * ```ts
 * const cairn = new Cairn({ url: "http://127.0.0.1:8080" });
 * const cfg = { store: { backend: ":memory", id: "demo" } } as const;
 * await cairn.createDatabase(cfg);
 * const conn = await cairn.connect(cfg);
 * ```
 */
export class Cairn {
  /** The server's base URL, without a trailing `/`. */
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: FetchLike;
  readonly #checkServer: boolean;
  #checked: Promise<void> | undefined;

  constructor(options: ClientOptions | string) {
    const o: ClientOptions = typeof options === "string" ? { url: options } : options;
    this.url = o.url.replace(/\/+$/, "");
    this.#headers = { ...(o.headers ?? {}), "Content-Type": "application/json", Accept: "application/json" };
    if (o.token !== undefined) {
      this.#headers["Authorization"] = `Bearer ${o.token}`;
    }
    const f = o.fetch ?? (typeof globalThis.fetch === "function" ? globalThis.fetch.bind(globalThis) : undefined);
    if (f === undefined) {
      throw new CairnError("network", 0, "No fetch available: pass one as options.fetch");
    }
    this.#fetch = f;
    this.#checkServer = o.checkServer ?? true;
  }

  /** The spec hash this client was generated from. */
  get specHash(): string {
    return SPEC_HASH;
  }

  /** `GET /health`: the server's status and the spec hash it was built from. */
  async health(): Promise<Health> {
    const v = await this.#send("GET", "/health", undefined);
    if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Date || typeof v["status"] !== "string" || typeof v["spec-hash"] !== "string") {
      throw new CairnError("protocol", 200, `Unexpected /health answer ${stringifyJson(v)}`);
    }
    return { status: v["status"], "spec-hash": v["spec-hash"] };
  }

  /**
   * Checks that the server was built from the spec this client was
   * generated from; rejects with kind `version`, naming both spec hashes,
   * when it was not (and with `network` when the server cannot be reached).
   */
  async checkServer(): Promise<void> {
    const served = (await this.health())["spec-hash"];
    if (served !== SPEC_HASH) {
      throw new CairnError(
        "version",
        0,
        `The server at ${this.url} runs spec ${served} but this client was generated from spec ${SPEC_HASH}: ` +
          "use a client generated from the server's spec (cargo run -p cairn-codegen -- generate) or a matching server",
      );
    }
  }

  /** The server check, once per client (again after a failure that was not a mismatch). */
  #serverChecked(): Promise<void> {
    if (this.#checked === undefined) {
      const check = this.checkServer();
      this.#checked = check;
      check.catch((e: unknown) => {
        if (!(e instanceof CairnError && e.kind === "version")) {
          this.#checked = undefined;
        }
      });
    }
    return this.#checked;
  }

  async #send(method: string, path: string, body: string | undefined): Promise<WireValue> {
    let status = 0;
    let text: string;
    try {
      const init: { method: string; headers: Record<string, string>; body?: string } = { method, headers: this.#headers };
      if (body !== undefined) {
        init.body = body;
      }
      const res = await this.#fetch(this.url + path, init);
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw new CairnError("network", status, `${method} ${this.url}${path} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    let value: WireValue;
    try {
      value = text.trim() === "" ? null : parseJson(text);
    } catch (e) {
      throw new CairnError("protocol", status, `${method} ${path}: HTTP ${status} with an answer that is not JSON: ${text.slice(0, 200)}`, { cause: e });
    }
    if (status < 200 || status > 299) {
      throw CairnError.fromAnswer(status, value);
    }
    return value;
  }

  /**
   * Calls the operation at `path` with positional arguments: trailing
   * `undefined` ones are left out, others are sent as `null`.
   */
  async #call<T>(path: string, args: unknown[]): Promise<T> {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) {
      n--;
    }
    const body = stringifyJson(args.slice(0, n).map((a) => (a === undefined ? null : a)));
    if (this.#checkServer) {
      await this.#serverChecked();
    }
    // The answer is the op's result under the wire rule, which its return
    // type describes.
    return (await this.#send("POST", path, body)) as T;
  }
{% for op in ops %}
  /**
{%- for line in op.doc %}
   *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
   */
  {{ op.method }}({{ op.signature() }}): Promise<{{ op.ret }}> {
    return this.#call<{{ op.ret }}>("{{ op.path }}", {{ op.arg_list() }});
  }
{% endfor -%}
}

/** A client of the server at `options.url` (see {@link Cairn}). */
export function createClient(options: ClientOptions | string): Cairn {
  return new Cairn(options);
}
