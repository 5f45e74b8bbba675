//! Cairn's C ABI: a cdylib (`libcairn_ffi.so`, `cairn_ffi.dll`,
//! `libcairn_ffi.dylib`) over the one seam, [`cairn::api::dispatch_json`].
//! The generated C header is `generated/c/cairn.h`; the Python binding
//! loads this library with ctypes and the Java binding through the JNI
//! entry points in [`jni`].
//!
//! ```c
//! char *out = cairn_call("database-exists?", "[{\"store\": {\"backend\": \":memory\", \"id\": \"x\"}}]");
//! // out: {"ok":false}
//! cairn_free(out);
//! ```
//!
//! Every call answers `{"ok": result}` or `{"error": {"kind": .., "message": ..}}`
//! as a NUL-terminated UTF-8 string the caller releases with [`cairn_free`].
//! Connections and database values cross as handles (descriptor maps the
//! runtime re-opens through its connection registry), so no pointer to
//! runtime state ever crosses the boundary. Nothing panics across it: a
//! panic inside the runtime becomes an `other` error.
#![allow(unsafe_code)] // the C boundary: raw pointers from foreign callers

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

pub use cairn_api_spec::ABI_VERSION;

pub mod jni;

/// The spec hash this library was built from, NUL-terminated.
fn spec_hash_c() -> &'static CStr {
    static HASH: OnceLock<CString> = OnceLock::new();
    HASH.get_or_init(|| {
        CString::new(cairn::api::spec().hash()).unwrap_or_else(|_| CString::default())
    })
}

/// The ABI version ([`ABI_VERSION`]); a binding refuses a library whose
/// version differs from the one it was generated for.
#[unsafe(no_mangle)]
pub extern "C" fn cairn_abi_version() -> u32 {
    ABI_VERSION
}

/// The hash of the API spec the library was built from (32 hex digits,
/// static storage: never free it).
#[unsafe(no_mangle)]
pub extern "C" fn cairn_spec_hash() -> *const c_char {
    spec_hash_c().as_ptr()
}

/// Calls operation `op` (its spec name, e.g. `"pull-many"`) with
/// `args_json` (a JSON array of positional arguments, an object of named
/// ones, or NULL/empty for none) and returns the JSON answer, to be freed
/// with [`cairn_free`]. Never returns NULL.
///
/// # Safety
/// `op` and `args_json` must each be NULL or point to a NUL-terminated
/// string that stays valid for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_call(op: *const c_char, args_json: *const c_char) -> *mut c_char {
    // SAFETY: the caller promises NUL-terminated strings or NULL.
    let op = unsafe { c_str(op) };
    let args = unsafe { c_str(args_json) };
    into_c(call_str(op, args))
}

/// Releases a string returned by [`cairn_call`]. NULL is ignored.
///
/// # Safety
/// `s` must be NULL or a pointer returned by [`cairn_call`] not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` in `into_c`.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Reads a C string argument: `None` for NULL, `Some(Err)` for bad UTF-8.
unsafe fn c_str<'a>(p: *const c_char) -> Option<Result<&'a str, std::str::Utf8Error>> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-NULL and NUL-terminated by the caller's contract.
        Some(unsafe { CStr::from_ptr(p) }.to_str())
    }
}

/// The answer to one call, as JSON text; catches panics.
pub fn call_str(
    op: Option<Result<&str, std::str::Utf8Error>>,
    args: Option<Result<&str, std::str::Utf8Error>>,
) -> String {
    let op = match op {
        Some(Ok(op)) => op,
        None => return error_json("syntax", "cairn_call: op is NULL"),
        Some(Err(e)) => return error_json("syntax", &format!("cairn_call: op is not UTF-8: {e}")),
    };
    let args = match args {
        Some(Ok(a)) => a,
        None => "",
        Some(Err(e)) => {
            return error_json("syntax", &format!("cairn_call: args are not UTF-8: {e}"));
        }
    };
    call(op, args)
}

/// [`cairn::api::dispatch_json`] with panics turned into `other` errors.
pub fn call(op: &str, args_json: &str) -> String {
    catch_unwind(AssertUnwindSafe(|| {
        cairn::api::dispatch_json(op, args_json)
    }))
    .unwrap_or_else(|_| error_json("other", &format!("internal error while running {op}")))
}

fn error_json(kind: &str, message: &str) -> String {
    let e = cairn::Value::map([
        (cairn::Value::kw("kind"), cairn::Value::str(kind)),
        (cairn::Value::kw("message"), cairn::Value::str(message)),
    ]);
    format!("{{\"error\":{}}}", cairn::api::wire::to_json_string(&e))
}

fn into_c(s: String) -> *mut c_char {
    // Interior NULs cannot occur in JSON text (they are escaped), but never
    // hand back NULL either way.
    CString::new(s)
        .unwrap_or_else(|_| {
            c"{\"error\":{\"kind\":\"other\",\"message\":\"NUL in answer\"}}".into()
        })
        .into_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_c(op: &CStr, args: Option<&CStr>) -> String {
        let out = unsafe { cairn_call(op.as_ptr(), args.map_or(std::ptr::null(), CStr::as_ptr)) };
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
        unsafe { cairn_free(out) };
        s
    }

    #[test]
    fn calls_cross_the_c_boundary() {
        assert_eq!(cairn_abi_version(), ABI_VERSION);
        let hash = unsafe { CStr::from_ptr(cairn_spec_hash()) }
            .to_str()
            .unwrap();
        assert_eq!(hash, cairn::api::spec().hash());
        let args = c"[{\"store\": {\"backend\": \":memory\", \"id\": \"ffi-test\"}}]";
        assert_eq!(call_c(c"database-exists?", Some(args)), r#"{"ok":false}"#);
        assert!(call_c(c"create-database", Some(args)).starts_with(r#"{"ok":"#));
        assert_eq!(call_c(c"database-exists?", Some(args)), r#"{"ok":true}"#);
        let e = call_c(c"no-such-op", None);
        assert!(e.contains(r#""kind":"not-found""#), "{e}");
        let e = call_c(c"q", Some(c"{not json"));
        assert!(e.contains(r#""kind":"syntax""#), "{e}");
        let e = unsafe { cairn_call(std::ptr::null(), std::ptr::null()) };
        let s = unsafe { CStr::from_ptr(e) }.to_str().unwrap().to_string();
        unsafe { cairn_free(e) };
        assert!(s.contains("op is NULL"), "{s}");
        unsafe { cairn_free(std::ptr::null_mut()) };
    }
}
