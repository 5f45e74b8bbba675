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
