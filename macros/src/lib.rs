//! Cairn's proc macros. A thin shim: the expansion is an ordinary function
//! (`expand::expand`) over the validated spec model, unit-tested without
//! a compiler in the loop.
//!
//! `cairn_macros::api!()` reads `api-spec/api.edn` (compiled into
//! `cairn-api-spec`, so editing the spec rebuilds every crate that expands
//! the macro) and emits, at the call site, inside the `cairn` crate:
//!
//! - `pub trait Api`: one method per operation exposed in Rust, named by
//!   [`cairn_api_spec::Op::rust_name`], documented from the spec. Methods
//!   have no default bodies, so an operation added to the spec but not
//!   implemented fails to compile with rustc's "not all trait items
//!   implemented, missing: `<method>`" error, which names the operation;
//! - `pub struct <Op>Args` per operation: its arguments, typed;
//! - `pub fn dispatch`: calls the method an operation name (or alias)
//!   names, after checking the arity;
//! - `pub const SPEC_HASH` and `pub const OPS`.
//!
//! A spec that does not validate expands to one `compile_error!` per
//! problem.
//!
//! `#[derive(Entity)]` (logic in `entity/`) derives `cairn::typed::Entity`
//! for a struct, or a keyword mapping for a fieldless enum.

mod entity;
mod expand;

/// Expands to the Rust API generated from `api.edn` (see the crate docs).
/// Takes no input. Meant to be invoked inside the `cairn` crate: the
/// generated code names `crate::Value`, `crate::Result` and
/// `crate::api::{Arg, usage}`.
#[proc_macro]
pub fn api(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    if let Some(tt) = input.into_iter().next() {
        return syn::Error::new(tt.span(), "api!() takes no arguments")
            .to_compile_error()
            .into();
    }
    match cairn_api_spec::load() {
        Ok(spec) => expand::expand(&spec),
        Err(errs) => expand::spec_errors(&errs),
    }
    .into()
}

/// Derives `cairn::typed::Entity` for a struct with named fields: one
/// attribute per field, in the namespace `#[entity(ns = "...")]` or the
/// struct's name in kebab case (`OrderLine` → `order-line`); field
/// `first_name` is `:ns/first-name`.
///
/// Field types: `String`, `i64`/`i32`/`i16`/`i8`/`u32`/`u16`/`u8`,
/// `f64`/`f32`, `bool`, `uuid::Uuid`, `SystemTime` and (runtime feature
/// `chrono`) `chrono::DateTime<Utc>`, `Vec<u8>` (bytes), `Keyword`,
/// `BigInt`, `BigDecimal`, tuples (`:db/tupleTypes`), `[T; N]` and `Tuple<T>`
/// (`:db/tupleType`), `Ref<T>` and
/// `EntityId` (references), a keyword enum, any type implementing
/// `FieldValue`; `Option<T>` for an optional attribute,
/// `Vec<T>`/`BTreeSet<T>`/`HashSet<T>` for cardinality many; a struct
/// deriving `Entity` marked `#[entity(component)]` is a nested component.
///
/// Field options, `#[entity(...)]`: `id` (an `EntityId` or
/// `Option<EntityId>` field carrying `:db/id`), `unique = "identity"` or
/// `"value"`, `index`, `component`, `no_history`, `doc = "..."`,
/// `rename = "name"` (or `"ns/name"`), `tuple_attrs = ["a", "b"]` (a
/// composite tuple of sibling attributes, read-only).
///
/// On a fieldless enum with `#[entity(ns = "status")]`, derives
/// `cairn::typed::FieldValue`: variant `InProgress` is stored as the
/// keyword `:status/in-progress` (`#[entity(rename = "...")]` on a variant
/// overrides it).
#[proc_macro_derive(Entity, attributes(entity))]
pub fn derive_entity(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => entity::derive(&input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
