//! `#[derive(Entity)]`: attr (the `#[entity(...)]` options) → model (the
//! fields classified and checked, every error collected with its span) →
//! expand (tokens). An ordinary module: tests call [`derive`] on parsed
//! input and snapshot the (prettyplease-formatted) output.

mod attr;
mod expand;
mod model;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use syn::DeriveInput;

/// The expansion of `#[derive(Entity)]` on `input`, or the errors found,
/// as `compile_error!`s at the offending tokens.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match model::build(input) {
        Ok(model::Model::Struct(s)) => expand::expand_struct(&s),
        Ok(model::Model::Enum(e)) => expand::expand_enum(&e),
        Err(e) => e.to_compile_error(),
    }
}
