//! The JNI entry points of the Java binding (`generated/java/`): one
//! `Java_io_cairn_Native_<op>` function per operation the binding exposes,
//! generated from the spec into `generated/java/jni/entry_points.rs` and
//! included here, plus `abiVersion` and `specHash`.
//!
//! Each takes the arguments as a `java.lang.String` of JSON and answers the
//! same `{"ok": ..}` / `{"error": ..}` JSON text as [`crate::cairn_call`],
//! through [`crate::call`]. Nothing unwinds into the JVM: a runtime panic
//! is already an `other` error answer, and a JNI failure (a string that
//! cannot be read or made, a panic in the glue) becomes a pending Java
//! `RuntimeException` with a null return.
#![allow(non_snake_case)] // JNI symbol names are fixed by the JVM

use jni::EnvUnowned;
use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JString};
use jni::sys::jint;

include!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../generated/java/jni/entry_points.rs"
));

/// Runs `op` with the JSON arguments in `args` (null: none) and returns the
/// answer as a Java string.
fn answer<'caller>(
    mut env: EnvUnowned<'caller>,
    op: &str,
    args: JString<'caller>,
) -> JString<'caller> {
    env.with_env(|env| -> Result<JString<'caller>, jni::errors::Error> {
        let args = if args.is_null() {
            String::new()
        } else {
            args.try_to_string(env)?
        };
        let out = crate::call(op, &args);
        JString::from_str(env, out)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// The spec hash as a Java string.
fn spec_hash<'caller>(mut env: EnvUnowned<'caller>) -> JString<'caller> {
    env.with_env(|env| -> Result<JString<'caller>, jni::errors::Error> {
        JString::from_str(env, cairn::api::spec().hash())
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}
