{{ header }}
// The JNI entry points of `io.cairn.Native`, one per operation the Java
// binding exposes; `runtime/ffi/src/jni.rs` includes this file and defines
// `answer` (JSON arguments in, the `{"ok"|"error"}` answer out, no panic
// across the boundary) and `spec_hash`.

/// `io.cairn.Native.abiVersion()`: the ABI version of this library.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_cairn_Native_abiVersion<'caller>(
    _env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> jint {
    jint::try_from(crate::ABI_VERSION).unwrap_or(-1)
}

/// `io.cairn.Native.specHash()`: the spec hash this library was built from.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_cairn_Native_specHash<'caller>(
    env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> JString<'caller> {
    spec_hash(env)
}
{% for op in ops %}
/// `io.cairn.Native.{{ op.camel }}(argsJson)`: the op `{{ op.name }}`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_cairn_Native_{{ op.camel }}<'caller>(
    env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    args: JString<'caller>,
) -> JString<'caller> {
    answer(env, "{{ op.name }}", args)
}
{% endfor -%}
