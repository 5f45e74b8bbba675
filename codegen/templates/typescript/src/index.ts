{{ header -}}
//
// @cairn/client: a typed client of the Cairn HTTP API (`cairn serve`).

export { Cairn, createClient, OPERATIONS, SPEC_HASH } from "./client.js";
export type { ClientOptions, FetchLike, Health, MethodName, OperationName } from "./client.js";
export {
  CairnError,
{%- for c in error_classes %}
  {{ c }},
{%- endfor %}
  ERROR_CLASSES,
  ERROR_STATUS,
  TRANSPORT_ERROR_STATUS,
} from "./errors.js";
export type { ClientErrorKind, ErrorKind, ErrorPos, SpecErrorKind, TransportErrorKind } from "./errors.js";
export type {
{%- for t in type_names %}
  {{ t }},
{%- endfor %}
} from "./types.js";
export {
  edn,
  ednList,
  ednSet,
  inst,
  isKeyword,
  keyword,
  literalString,
  parseJson,
  stringText,
  stringifyJson,
  uuid,
} from "./wire.js";
export type { EdnTag, InstTag, ListTag, SetTag, UuidTag, WireObject, WireValue } from "./wire.js";
