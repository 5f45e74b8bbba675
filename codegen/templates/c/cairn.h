{{ header }}
/*
 * Cairn's C ABI, implemented by the cairn-ffi cdylib (libcairn_ffi.so,
 * libcairn_ffi.dylib, cairn_ffi.dll; `cargo build --release -p cairn-ffi`).
 *
 * Every operation goes through one entry point, cairn_call(op, args_json):
 * `op` is the operation's spec name (the CAIRN_OP_* constants below) and
 * `args_json` a JSON array of positional arguments, a JSON object of named
 * ones, or NULL for none, under the JSON wire rule (object keys become
 * keywords, strings starting with ':' are keywords, "\\:" escapes a literal
 * colon). The answer is always a JSON object, {"ok": <result>} or
 * {"error": {"kind": "...", "message": "..."}}, which the caller releases
 * with cairn_free. Connections and database values cross as handles
 * (objects with a "cairn/connection" or "cairn/db" key) that the library
 * re-opens by store and commit, so no pointer to runtime state crosses.
 *
 * A binding checks cairn_abi_version() == CAIRN_ABI_VERSION and
 * cairn_spec_hash() == CAIRN_SPEC_HASH before its first call.
 */
#ifndef CAIRN_H
#define CAIRN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define CAIRN_ABI_VERSION {{ abi_version }}u

/** The hash of the API spec this header was generated from. */
#define CAIRN_SPEC_HASH "{{ spec_hash }}"

/** The ABI version of the loaded library. */
uint32_t cairn_abi_version(void);

/** The spec hash the library was built from (static; never free it). */
const char *cairn_spec_hash(void);

/**
 * Calls operation `op` with `args_json` and returns the JSON answer
 * ({"ok": ..} or {"error": ..}); never NULL. Free it with cairn_free.
 */
char *cairn_call(const char *op, const char *args_json);

/** Releases an answer of cairn_call. NULL is ignored. */
void cairn_free(char *s);

/* ---- Operations (the values of `op`) ---- */
{% for op in ops %}
/**
{%- for line in op.doc %}
 *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
 */
#define {{ op.constant }} "{{ op.name }}"
{% endfor %}
#ifdef __cplusplus
}
#endif

#endif /* CAIRN_H */
