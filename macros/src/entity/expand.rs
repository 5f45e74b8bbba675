//! Model → tokens. Generated code names everything by absolute path
//! (`::cairn::`, `::core::`, `::std::`) and calls only inherent methods of
//! the runtime's helpers, so it compiles under `#![no_implicit_prelude]`
//! and beside a local `Result`. Field types are emitted with their own
//! spans, so a type that is not storable is reported on the field.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::attr::UniqueOpt;
use super::model::{AttrField, EnumModel, FieldKind, ItemKind, Shape, StructModel};

pub fn expand_struct(m: &StructModel) -> TokenStream {
    let ident = &m.ident;
    let ty_name = ident.to_string();
    let ns = &m.ns;

    let mut consts = Vec::new();
    let mut defs = Vec::new();
    let mut nested_schema = Vec::new();
    let mut pattern = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    let mut entity_id = quote!(::core::option::Option::None);

    for f in &m.fields {
        let fid = &f.ident;
        let fname = fid.to_string();
        let fty = &f.ty;
        let a = match &f.kind {
            FieldKind::Id => {
                let id_field = quote_spanned!(fty.span()=> <#fty as ::cairn::typed::IdField>);
                entity_id = quote!(#id_field::id(&self.#fid));
                reads.push(quote! { #fid: r.id(#fname, #id_field::from_id)? });
                continue;
            }
            FieldKind::Attr(a) => a,
        };
        let attr = &a.ident;
        let item = &a.item;
        let item = quote_spanned!(item.span()=> #item);
        let fv = quote_spanned!(item.span()=> <#item as ::cairn::typed::FieldValue>);

        let cname = AttrField::const_name(fid);
        let cdoc = format!("`:{attr}`, the attribute of field `{fname}`.");
        consts.push(quote! {
            #[doc = #cdoc]
            pub const #cname: ::cairn::typed::Attr = ::cairn::typed::Attr::new(#attr);
        });

        let nested = a.item_kind == ItemKind::Nested;
        let many = a.shape == Shape::Many;
        let mut def = if nested {
            quote!(::cairn::typed::AttrDef::reference(#attr))
        } else {
            quote!(#fv::attr_def(#attr))
        };
        if many {
            def.extend(quote!(.many()));
        }
        match a.unique {
            Some(UniqueOpt::Identity) => def.extend(quote!(.identity())),
            Some(UniqueOpt::Value) => def.extend(quote!(.unique_value())),
            None => {}
        }
        if a.index {
            def.extend(quote!(.index()));
        }
        if a.component {
            def.extend(quote!(.component()));
        }
        if a.no_history {
            def.extend(quote!(.no_history()));
        }
        if let Some(d) = &a.doc {
            def.extend(quote!(.doc(#d)));
        }
        if let Some(t) = &a.tuple_attrs {
            let names = t.iter().map(|(full, _)| full);
            def.extend(quote!(.composite(&[#(#names),*])));
        }
        defs.push(def);

        if nested {
            let call = quote! {
                <#item as ::cairn::typed::Entity>::collect_schema(out);
            };
            if !nested_schema
                .iter()
                .any(|c: &TokenStream| c.to_string() == call.to_string())
            {
                nested_schema.push(call);
            }
            pattern.push(quote!(p.component::<#item>(#attr, #many);));
        } else {
            pattern.push(quote!(p.attr(#attr, #many);));
        }

        // Composite tuples are maintained by the database: read, never written.
        if a.tuple_attrs.is_none() {
            writes.push(match (nested, a.shape) {
                (false, Shape::One) => quote!(m.one(#attr, #fv::to_value(&self.#fid));),
                (false, Shape::Optional) => quote!(m.opt(#attr, &self.#fid, #fv::to_value);),
                (false, Shape::Many) => quote!(m.many(#attr, &self.#fid, #fv::to_value);),
                (true, Shape::One) => quote!(m.component::<#item>(#attr, &self.#fid);),
                (true, Shape::Optional) => quote!(m.component_opt::<#item>(#attr, &self.#fid);),
                (true, Shape::Many) => quote!(m.components::<#item>(#attr, &self.#fid);),
            });
        }
        reads.push(match (nested, a.shape) {
            (false, Shape::One) => quote!(#fid: r.one(#fname, #attr, #fv::from_value)?),
            (false, Shape::Optional) => quote!(#fid: r.opt(#fname, #attr, #fv::from_value)?),
            (false, Shape::Many) => {
                quote!(#fid: r.many::<#item, #fty>(#fname, #attr, #fv::from_value)?)
            }
            (true, Shape::One) => quote!(#fid: r.component::<#item>(#fname, #attr)?),
            (true, Shape::Optional) => quote!(#fid: r.component_opt::<#item>(#fname, #attr)?),
            (true, Shape::Many) => quote!(#fid: r.components::<#item, #fty>(#fname, #attr)?),
        });
    }

    let consts_doc = format!("Attribute names of [`{ty_name}`], for writing queries.");
    quote! {
        #[doc = #consts_doc]
        #[automatically_derived]
        impl #ident {
            #(#consts)*
        }

        #[automatically_derived]
        impl ::cairn::typed::Entity for #ident {
            const NAMESPACE: &'static str = #ns;

            fn attributes() -> ::std::vec::Vec<::cairn::typed::AttrDef> {
                ::std::vec![#(#defs),*]
            }

            fn collect_schema(out: &mut ::cairn::typed::SchemaBuilder) {
                if out.enter::<Self>() {
                    out.add(<Self as ::cairn::typed::Entity>::attributes());
                    #(#nested_schema)*
                }
            }

            fn write_pattern(stack: &mut ::std::vec::Vec<&'static str>) -> ::cairn::Value {
                let mut p = ::cairn::typed::PatternBuilder::enter::<Self>(stack);
                #(#pattern)*
                p.finish()
            }

            fn entity_id(&self) -> ::core::option::Option<::cairn::typed::EntityId> {
                #entity_id
            }

            fn to_tx_map(&self, id: ::core::option::Option<::cairn::Value>) -> ::cairn::Value {
                let mut m = ::cairn::typed::MapWriter::new(id);
                #(#writes)*
                m.finish()
            }

            fn from_pull(v: &::cairn::Value) -> ::cairn::Result<Self> {
                let r = ::cairn::typed::MapReader::new(#ty_name, v)?;
                ::core::result::Result::Ok(#ident {
                    #(#reads),*
                })
            }
        }
    }
}

pub fn expand_enum(m: &EnumModel) -> TokenStream {
    let ident = &m.ident;
    let idents: Vec<_> = m.variants.iter().map(|(v, _)| v).collect();
    let names: Vec<_> = m.variants.iter().map(|(_, n)| n).collect();
    let expected = format!(
        "one of {}",
        names
            .iter()
            .map(|n| format!(":{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let doc = format!("The keyword of each variant of [`{ident}`], in declaration order.");
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #doc]
            pub const KEYWORDS: &'static [&'static str] = &[#(#names),*];

            /// The keyword this variant is stored as, without the colon.
            pub fn keyword(&self) -> &'static str {
                match self {
                    #(#ident::#idents => #names,)*
                }
            }
        }

        #[automatically_derived]
        impl ::cairn::typed::FieldValue for #ident {
            const VALUE_TYPE: ::cairn::typed::ValueType = ::cairn::typed::ValueType::Keyword;

            fn to_value(&self) -> ::cairn::Value {
                ::cairn::Value::kw(#ident::keyword(self))
            }

            fn from_value(v: &::cairn::Value) -> ::cairn::Result<Self> {
                if let ::cairn::Value::Keyword(k) = v {
                    match k.full() {
                        #(#names => return ::core::result::Result::Ok(#ident::#idents),)*
                        _ => {}
                    }
                }
                ::core::result::Result::Err(::cairn::typed::mismatch(#expected, v))
            }
        }
    }
}
