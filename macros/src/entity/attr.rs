//! `#[entity(...)]` options, parsed with their spans. Unknown options and
//! malformed values are errors pointing at the option; every error of an
//! item is collected.

use proc_macro2::Span;
use syn::{Attribute, Expr, ExprArray, Ident, Lit, LitStr};

/// Where an option was written, for error spans.
pub type Spanned<T> = (T, Span);

/// Options on the struct or enum.
#[derive(Default)]
pub struct ContainerOpts {
    /// `ns = "person"`.
    pub ns: Option<LitStr>,
}

/// `unique = "identity" | "value"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniqueOpt {
    Identity,
    Value,
}

/// Options on a field.
#[derive(Default)]
pub struct FieldOpts {
    pub id: Option<Span>,
    pub unique: Option<Spanned<UniqueOpt>>,
    pub index: Option<Span>,
    pub component: Option<Span>,
    pub no_history: Option<Span>,
    pub doc: Option<LitStr>,
    pub rename: Option<LitStr>,
    /// `tuple_attrs = ["a", "b"]`, with the span of `tuple_attrs`.
    pub tuple_attrs: Option<Spanned<Vec<LitStr>>>,
}

/// Options on an enum variant.
#[derive(Default)]
pub struct VariantOpts {
    pub rename: Option<LitStr>,
}

const CONTAINER_OPTS: &str = "`ns = \"...\"`";
const FIELD_OPTS: &str = "`id`, `unique = \"identity\" | \"value\"`, `index`, `component`, \
                          `no_history`, `doc = \"...\"`, `rename = \"...\"`, `tuple_attrs = [...]`";
const VARIANT_OPTS: &str = "`rename = \"...\"`";

fn entity_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("entity"))
}

/// Adds `e` to the errors collected so far.
pub fn push_error(errors: &mut Option<syn::Error>, e: syn::Error) {
    match errors {
        Some(all) => all.combine(e),
        None => *errors = Some(e),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &Ident) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            name,
            format!("duplicate entity option `{name}`"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses every `#[entity(...)]` on a field, calling `each` per option;
/// collects the errors.
fn parse_each(
    attrs: &[Attribute],
    errors: &mut Option<syn::Error>,
    mut each: impl FnMut(&syn::meta::ParseNestedMeta<'_>, &Ident) -> syn::Result<()>,
) {
    for attr in entity_attrs(attrs) {
        let r = attr.parse_nested_meta(|meta| {
            let Some(name) = meta.path.get_ident().cloned() else {
                return Err(meta.error("expected an entity option name"));
            };
            each(&meta, &name)
        });
        if let Err(e) = r {
            push_error(errors, e);
        }
    }
}

pub fn container(attrs: &[Attribute], errors: &mut Option<syn::Error>) -> ContainerOpts {
    let mut o = ContainerOpts::default();
    parse_each(attrs, errors, |meta, name| {
        match name.to_string().as_str() {
            "ns" => {
                let lit: LitStr = meta.value()?.parse()?;
                let v = lit.value();
                if v.is_empty() || v.contains('/') || v.contains(char::is_whitespace) {
                    return Err(syn::Error::new_spanned(
                        &lit,
                        "a namespace is a non-empty name without `/` or spaces, such as \"person\"",
                    ));
                }
                set_once(&mut o.ns, lit, name)
            }
            _ => Err(meta.error(format!(
                "unknown entity option `{name}` on a type; expected {CONTAINER_OPTS}"
            ))),
        }
    });
    o
}

fn flag(
    meta: &syn::meta::ParseNestedMeta<'_>,
    slot: &mut Option<Span>,
    name: &Ident,
) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        return Err(meta.error(format!("`{name}` takes no value")));
    }
    set_once(slot, name.span(), name)
}

fn attr_name(lit: &LitStr) -> syn::Result<()> {
    let v = lit.value();
    let bad = v.is_empty()
        || v.starts_with(':')
        || v.contains(char::is_whitespace)
        || v.split('/').count() > 2
        || v.split('/').any(str::is_empty);
    if bad {
        return Err(syn::Error::new_spanned(
            lit,
            "expected an attribute name such as \"name\" or \"person/name\"",
        ));
    }
    Ok(())
}

pub fn field(attrs: &[Attribute], errors: &mut Option<syn::Error>) -> FieldOpts {
    let mut o = FieldOpts::default();
    parse_each(attrs, errors, |meta, name| {
        match name.to_string().as_str() {
            "id" => flag(meta, &mut o.id, name),
            "index" => flag(meta, &mut o.index, name),
            "component" => flag(meta, &mut o.component, name),
            "no_history" => flag(meta, &mut o.no_history, name),
            "unique" => {
                let lit: LitStr = meta.value()?.parse()?;
                let u = match lit.value().as_str() {
                    "identity" => UniqueOpt::Identity,
                    "value" => UniqueOpt::Value,
                    _ => {
                        return Err(syn::Error::new_spanned(
                            &lit,
                            "expected `unique = \"identity\"` or `unique = \"value\"`",
                        ));
                    }
                };
                set_once(&mut o.unique, (u, name.span()), name)
            }
            "doc" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut o.doc, lit, name)
            }
            "rename" => {
                let lit: LitStr = meta.value()?.parse()?;
                attr_name(&lit)?;
                set_once(&mut o.rename, lit, name)
            }
            "tuple_attrs" => {
                let arr: ExprArray = meta.value()?.parse()?;
                let mut lits = Vec::new();
                for e in &arr.elems {
                    match e {
                        Expr::Lit(syn::ExprLit {
                            lit: Lit::Str(s), ..
                        }) => {
                            attr_name(s)?;
                            lits.push(s.clone());
                        }
                        other => {
                            return Err(syn::Error::new_spanned(
                                other,
                                "expected an attribute name string such as \"name\"",
                            ));
                        }
                    }
                }
                if lits.len() < 2 {
                    return Err(syn::Error::new_spanned(
                        &arr,
                        "a composite tuple needs at least two attributes",
                    ));
                }
                set_once(&mut o.tuple_attrs, (lits, name.span()), name)
            }
            _ => Err(meta.error(format!(
                "unknown entity option `{name}`; expected {FIELD_OPTS}"
            ))),
        }
    });
    o
}

pub fn variant(attrs: &[Attribute], errors: &mut Option<syn::Error>) -> VariantOpts {
    let mut o = VariantOpts::default();
    parse_each(attrs, errors, |meta, name| {
        match name.to_string().as_str() {
            "rename" => {
                let lit: LitStr = meta.value()?.parse()?;
                attr_name(&lit)?;
                set_once(&mut o.rename, lit, name)
            }
            _ => Err(meta.error(format!(
                "unknown entity option `{name}` on a variant; expected {VARIANT_OPTS}"
            ))),
        }
    });
    o
}
