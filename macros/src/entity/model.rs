//! The checked model of a deriving type: a struct's fields classified by
//! shape (one, optional, many) and item kind (value, reference, component
//! struct, tuple), or a keyword enum's variants. Every problem is a
//! `syn::Error` on the offending token; all of them are collected.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, LitStr, PathArguments, Type};

use super::attr::{self, FieldOpts, UniqueOpt, push_error};

/// What derives `Entity`.
pub enum Model {
    Struct(StructModel),
    Enum(EnumModel),
}

pub struct StructModel {
    pub ident: Ident,
    pub ns: String,
    pub fields: Vec<FieldModel>,
}

pub struct EnumModel {
    pub ident: Ident,
    pub variants: Vec<(Ident, String)>,
}

/// How many values a field holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    One,
    Optional,
    Many,
}

/// What one value of a field is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ItemKind {
    /// A built-in scalar (`String`, `i64`, ...).
    Scalar,
    /// A type of the user's, stored through its `FieldValue` impl.
    Custom,
    /// `Ref<T>` or `EntityId`.
    Ref,
    /// A tuple.
    Tuple,
    /// A struct deriving `Entity`, embedded as a component.
    Nested,
}

pub struct FieldModel {
    pub ident: Ident,
    /// The whole field type.
    pub ty: Type,
    pub kind: FieldKind,
}

pub enum FieldKind {
    /// `#[entity(id)]`.
    Id,
    Attr(Box<AttrField>),
}

pub struct AttrField {
    /// `person/name`.
    pub ident: String,
    pub shape: Shape,
    pub item: Type,
    pub item_kind: ItemKind,
    pub unique: Option<UniqueOpt>,
    pub index: bool,
    pub component: bool,
    pub no_history: bool,
    pub doc: Option<String>,
    /// Full idents of a composite tuple's sources, with what was written.
    pub tuple_attrs: Option<Vec<(String, LitStr)>>,
}

impl AttrField {
    /// `NAME` for field `name`.
    pub fn const_name(field: &Ident) -> Ident {
        let s = field.to_string();
        let s = s.strip_prefix("r#").unwrap_or(&s);
        Ident::new(&s.to_uppercase(), field.span())
    }
}

/// `OrderLine` → `order-line`, `HTTPServer` → `http-server`.
pub fn kebab_type(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// `first_name` → `first-name`.
fn kebab_field(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").unwrap_or(&s).replace('_', "-")
}

/// The last path segment's name and its generic type arguments.
fn last_segment(ty: &Type) -> Option<(String, Vec<&Type>)> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    Some((seg.ident.to_string(), args))
}

const SCALARS: [&str; 17] = [
    "String",
    "i64",
    "i32",
    "i16",
    "i8",
    "u32",
    "u16",
    "u8",
    "f64",
    "f32",
    "bool",
    "Uuid",
    "SystemTime",
    "DateTime",
    "Keyword",
    "BigInt",
    "BigDecimal",
];

/// Why a type can never be an attribute value, if it cannot.
fn unsupported(ty: &Type) -> Option<String> {
    let why = match ty {
        Type::Reference(_) => "borrowed types cannot be stored; use an owned type such as `String`",
        Type::Ptr(_) => "raw pointers cannot be stored",
        Type::Slice(_) => {
            "slices cannot be stored; use `Vec<T>` for cardinality many, `[T; N]` or `Tuple<T>` for a tuple"
        }
        Type::BareFn(_) => "functions cannot be stored",
        Type::TraitObject(_) | Type::ImplTrait(_) => "trait objects cannot be stored",
        Type::Never(_) | Type::Infer(_) | Type::Macro(_) => "this type cannot be stored",
        Type::Tuple(t) if t.elems.is_empty() => "`()` cannot be stored",
        Type::Tuple(t) if t.elems.len() == 1 => {
            "a one-element tuple cannot be stored; use the element type"
        }
        Type::Tuple(t) if t.elems.len() > 8 => "tuples hold at most 8 values",
        Type::Path(_) => {
            let (name, _) = last_segment(ty)?;
            match name.as_str() {
                "u64" | "u128" | "i128" | "usize" | "isize" => {
                    "this integer does not fit a long; use `i64` (or `BigInt`)"
                }
                "char" | "str" => "use `String` for text",
                "HashMap" | "BTreeMap" => {
                    "maps cannot be stored; use a component struct (`#[entity(component)]`)"
                }
                "Box" | "Rc" | "Arc" | "Cell" | "RefCell" | "Cow" => {
                    "smart pointers cannot be stored; use the inner type"
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(why.to_string())
}

struct Classified {
    shape: Shape,
    item: Type,
    item_kind: ItemKind,
}

fn classify(ty: &Type, component: bool) -> syn::Result<Classified> {
    let (shape, item) = match last_segment(ty) {
        Some((name, args)) if args.len() == 1 => {
            let inner = args[0];
            let inner_is_u8 = last_segment(inner).is_some_and(|(n, a)| n == "u8" && a.is_empty());
            match name.as_str() {
                "Vec" if inner_is_u8 => (Shape::One, ty.clone()),
                "Option" => (Shape::Optional, inner.clone()),
                "Vec" | "BTreeSet" | "HashSet" => (Shape::Many, inner.clone()),
                _ => (Shape::One, ty.clone()),
            }
        }
        _ => (Shape::One, ty.clone()),
    };
    if shape != Shape::One {
        if let Some((name, args)) = last_segment(&item) {
            let bytes = name == "Vec"
                && args.len() == 1
                && last_segment(args[0]).is_some_and(|(n, _)| n == "u8");
            if !bytes && matches!(name.as_str(), "Option" | "Vec" | "BTreeSet" | "HashSet") {
                return Err(syn::Error::new_spanned(
                    &item,
                    "nested optional or collection types cannot be stored; \
                     an attribute is either optional (`Option<T>`) or cardinality many (`Vec<T>`)",
                ));
            }
        }
    }
    if let Some(why) = unsupported(&item) {
        return Err(syn::Error::new_spanned(
            &item,
            format!("unsupported field type: {why}"),
        ));
    }
    let item_kind = match (&item, last_segment(&item)) {
        (Type::Tuple(_), _) => ItemKind::Tuple,
        (_, Some((name, args))) if name == "Ref" && args.len() == 1 => ItemKind::Ref,
        (_, Some((name, args))) if name == "EntityId" && args.is_empty() => ItemKind::Ref,
        (_, Some((name, _))) if name == "Vec" => ItemKind::Scalar, // Vec<u8>
        (_, Some((name, _))) if SCALARS.contains(&name.as_str()) => ItemKind::Scalar,
        (Type::Path(_), _) if component => ItemKind::Nested,
        (Type::Path(_) | Type::Array(_), _) => ItemKind::Custom,
        _ => {
            return Err(syn::Error::new_spanned(&item, "unsupported field type"));
        }
    };
    Ok(Classified {
        shape,
        item,
        item_kind,
    })
}

fn field_model(
    ns: &str,
    ident: &Ident,
    ty: &Type,
    o: FieldOpts,
    errors: &mut Option<syn::Error>,
) -> Option<FieldModel> {
    if let Some(id_span) = o.id {
        let others = [o.unique.map(|u| u.1), o.index, o.component, o.no_history]
            .into_iter()
            .flatten()
            .chain(o.doc.as_ref().map(LitStr::span))
            .chain(o.rename.as_ref().map(LitStr::span))
            .chain(o.tuple_attrs.as_ref().map(|t| t.1));
        for span in others {
            push_error(
                errors,
                syn::Error::new(span, "an `#[entity(id)]` field takes no other option"),
            );
        }
        let _ = id_span;
        return Some(FieldModel {
            ident: ident.clone(),
            ty: ty.clone(),
            kind: FieldKind::Id,
        });
    }
    let c = match classify(ty, o.component.is_some()) {
        Ok(c) => c,
        Err(e) => {
            push_error(errors, e);
            return None;
        }
    };
    let mut ok = true;
    let mut fail = |e: syn::Error| {
        ok = false;
        push_error(errors, e);
    };
    if let (Some(span), Shape::Many) = (o.unique.map(|u| u.1), c.shape) {
        fail(syn::Error::new(
            span,
            "`unique` cannot be used on a cardinality-many field: uniqueness applies to single values",
        ));
    }
    if let Some(span) = o.component {
        if matches!(c.item_kind, ItemKind::Scalar | ItemKind::Tuple) {
            fail(syn::Error::new(
                span,
                "`component` needs a reference: a struct deriving Entity, `Ref<T>` or `EntityId`",
            ));
        }
    }
    if c.item_kind == ItemKind::Nested && o.unique.is_some() {
        fail(syn::Error::new(
            o.unique.map(|u| u.1).unwrap_or_else(Span::call_site),
            "`unique` cannot be used on a component struct field",
        ));
    }
    let tuple_attrs = match &o.tuple_attrs {
        None => None,
        Some((lits, span)) => {
            match &c.item {
                Type::Tuple(t) if c.shape != Shape::Many => {
                    if t.elems.len() != lits.len() {
                        fail(syn::Error::new(
                            *span,
                            format!(
                                "`tuple_attrs` names {} attributes but the field's tuple has {} elements",
                                lits.len(),
                                t.elems.len()
                            ),
                        ));
                    }
                }
                _ => fail(syn::Error::new(
                    *span,
                    "`tuple_attrs` needs a tuple field such as `Option<(Option<String>, Option<i64>)>`",
                )),
            }
            Some(
                lits.iter()
                    .map(|l| {
                        let v = l.value();
                        let full = if v.contains('/') {
                            v
                        } else {
                            format!("{ns}/{v}")
                        };
                        (full, l.clone())
                    })
                    .collect(),
            )
        }
    };
    let name = match &o.rename {
        Some(l) if l.value().contains('/') => l.value(),
        Some(l) => format!("{ns}/{}", l.value()),
        None => format!("{ns}/{}", kebab_field(ident)),
    };
    ok.then(|| FieldModel {
        ident: ident.clone(),
        ty: ty.clone(),
        kind: FieldKind::Attr(Box::new(AttrField {
            ident: name,
            shape: c.shape,
            item: c.item,
            item_kind: c.item_kind,
            unique: o.unique.map(|u| u.0),
            index: o.index.is_some(),
            component: o.component.is_some(),
            no_history: o.no_history.is_some(),
            doc: o.doc.map(|d| d.value()),
            tuple_attrs,
        })),
    })
}

/// Parses and checks the input; every error found, combined.
pub fn build(input: &DeriveInput) -> syn::Result<Model> {
    let mut errors = None;
    let copts = attr::container(&input.attrs, &mut errors);
    if let Some(p) = input.generics.params.first().map(|_| &input.generics) {
        push_error(
            &mut errors,
            syn::Error::new_spanned(
                p,
                "`#[derive(Entity)]` does not support generic types: an entity's attributes are fixed; \
                 use a concrete type for each field",
            ),
        );
    }
    let model = match &input.data {
        Data::Struct(s) => {
            let named = match &s.fields {
                Fields::Named(n) => Some(n),
                Fields::Unnamed(u) => {
                    push_error(
                        &mut errors,
                        syn::Error::new_spanned(
                            u,
                            "`#[derive(Entity)]` needs named fields: each field name becomes an attribute name",
                        ),
                    );
                    None
                }
                Fields::Unit => {
                    push_error(
                        &mut errors,
                        syn::Error::new_spanned(
                            &input.ident,
                            "`#[derive(Entity)]` needs a struct with named fields",
                        ),
                    );
                    None
                }
            };
            let ns = copts
                .ns
                .as_ref()
                .map(LitStr::value)
                .unwrap_or_else(|| kebab_type(&input.ident.to_string()));
            let mut fields = Vec::new();
            let mut seen: Vec<(String, Span)> = Vec::new();
            let mut id_seen = false;
            for f in named.map(|n| n.named.iter()).into_iter().flatten() {
                let Some(ident) = &f.ident else { continue };
                let o = attr::field(&f.attrs, &mut errors);
                let rename_span = o.rename.as_ref().map(LitStr::span);
                let Some(m) = field_model(&ns, ident, &f.ty, o, &mut errors) else {
                    continue;
                };
                match &m.kind {
                    FieldKind::Id => {
                        if id_seen {
                            push_error(
                                &mut errors,
                                syn::Error::new_spanned(
                                    ident,
                                    "only one field can be `#[entity(id)]`",
                                ),
                            );
                        }
                        id_seen = true;
                    }
                    FieldKind::Attr(a) => {
                        let span = rename_span.unwrap_or_else(|| ident.span());
                        if seen.iter().any(|(n, _)| n == &a.ident) {
                            push_error(
                                &mut errors,
                                syn::Error::new(
                                    span,
                                    format!("two fields map to the attribute :{}", a.ident),
                                ),
                            );
                        }
                        seen.push((a.ident.clone(), span));
                    }
                }
                fields.push(m);
            }
            // Composite tuple sources must be attributes of this struct
            // (or fully qualified names of others).
            for f in &fields {
                let FieldKind::Attr(a) = &f.kind else {
                    continue;
                };
                for (full, lit) in a.tuple_attrs.iter().flatten() {
                    if !lit.value().contains('/') && !seen.iter().any(|(n, _)| n == full) {
                        push_error(
                            &mut errors,
                            syn::Error::new_spanned(
                                lit,
                                format!("no field of this struct maps to the attribute :{full}"),
                            ),
                        );
                    }
                }
            }
            Model::Struct(StructModel {
                ident: input.ident.clone(),
                ns,
                fields,
            })
        }
        Data::Enum(e) => {
            let ns = copts.ns.as_ref().map(LitStr::value);
            if ns.is_none() {
                push_error(
                    &mut errors,
                    syn::Error::new_spanned(
                        &input.ident,
                        "a keyword enum needs a namespace: add `#[entity(ns = \"...\")]`; \
                         its variants become keywords `:ns/variant`",
                    ),
                );
            }
            if e.variants.is_empty() {
                push_error(
                    &mut errors,
                    syn::Error::new_spanned(
                        &input.ident,
                        "a keyword enum needs at least one variant",
                    ),
                );
            }
            let ns = ns.unwrap_or_default();
            let mut variants: Vec<(Ident, String)> = Vec::new();
            for v in &e.variants {
                let o = attr::variant(&v.attrs, &mut errors);
                if !matches!(v.fields, Fields::Unit) {
                    push_error(
                        &mut errors,
                        syn::Error::new_spanned(
                            &v.fields,
                            "keyword enum variants cannot have fields; a variant is stored as a keyword",
                        ),
                    );
                }
                let name = match &o.rename {
                    Some(l) if l.value().contains('/') => l.value(),
                    Some(l) => format!("{ns}/{}", l.value()),
                    None => format!("{ns}/{}", kebab_type(&v.ident.to_string())),
                };
                if variants.iter().any(|(_, n)| n == &name) {
                    let span = o
                        .rename
                        .as_ref()
                        .map(LitStr::span)
                        .unwrap_or(v.ident.span());
                    push_error(
                        &mut errors,
                        syn::Error::new(span, format!("two variants map to the keyword :{name}")),
                    );
                }
                variants.push((v.ident.clone(), name));
            }
            Model::Enum(EnumModel {
                ident: input.ident.clone(),
                variants,
            })
        }
        Data::Union(u) => {
            push_error(
                &mut errors,
                syn::Error::new_spanned(
                    u.union_token,
                    "`#[derive(Entity)]` supports structs with named fields and fieldless enums",
                ),
            );
            return Err(errors.unwrap_or_else(|| syn::Error::new(input.span(), "unsupported")));
        }
    };
    match errors {
        Some(e) => Err(e),
        None => Ok(model),
    }
}
