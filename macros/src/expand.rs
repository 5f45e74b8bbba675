//! The expansion of `api!`: spec model in, tokens out. Ordinary code, so
//! it is tested as such (`expand(&spec).to_string()` is snapshotted).

use cairn_api_spec::{Op, Spec, SpecErrors, Target, TypeKind, TypeRef};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// Rust keywords an op or argument name must not collide with: such a name
/// becomes a raw identifier (`r#type`).
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// An identifier for a snake_case name, raw when it is a keyword.
fn ident(name: &str) -> Ident {
    if RUST_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The identifier of an argument (`tx-input` → `tx_input`).
fn arg_ident(name: &str) -> Ident {
    ident(&cairn_api_spec::naming::snake(name))
}

/// Whether values of `ty` may hold runtime handles (a config, connection
/// or database), and so travel as a `crate::api::Arg` rather than a plain
/// `crate::Value`: a handle type or `Config`, or a vector, maybe or
/// variant of one (`QueryInputs`: `[db "Ivan"]`). Map fields do not count:
/// a map argument is always data.
fn holds_handle(spec: &Spec, ty: &TypeRef) -> bool {
    fn go(spec: &Spec, ty: &TypeRef, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match ty {
            TypeRef::Vector { of } | TypeRef::Maybe { of } => go(spec, of, depth + 1),
            TypeRef::MapOf { .. } => false,
            TypeRef::Named { name } => {
                // A config may come as a value or a file; a listener is a
                // Rust closure (`crate::api::Arg::Listener`).
                if name == "Config" || name == "Listener" {
                    return true;
                }
                match spec.type_decl(name).map(|t| &t.kind) {
                    Some(TypeKind::Handle { .. }) => true,
                    Some(TypeKind::Vector { of }) => go(spec, of, depth + 1),
                    Some(TypeKind::Variant { variants }) => {
                        variants.iter().any(|v| go(spec, &v.ty, depth + 1))
                    }
                    _ => false,
                }
            }
        }
    }
    go(spec, ty, 0)
}

/// One argument of one op, as the generated code sees it.
struct ArgGen {
    ident: Ident,
    name: String,
    doc: String,
    /// Travels as `crate::api::Arg` (else `crate::Value`).
    handle: bool,
    optional: bool,
}

impl ArgGen {
    fn new(spec: &Spec, a: &cairn_api_spec::Arg) -> ArgGen {
        let mut doc = format!("`{}` (`{}`", a.name, a.ty);
        if a.optional {
            doc.push_str(", optional");
        }
        if let Some(d) = &a.default {
            doc.push_str(&format!(", default `{d}`"));
        }
        doc.push_str("): ");
        doc.push_str(&a.doc);
        ArgGen {
            ident: arg_ident(&a.name),
            name: a.name.clone(),
            doc,
            handle: holds_handle(spec, &a.ty),
            optional: a.optional,
        }
    }

    /// The base type, without reference or `Option`.
    fn base(&self) -> TokenStream {
        if self.handle {
            quote!(crate::api::Arg)
        } else {
            quote!(crate::Value)
        }
    }

    /// Parameter type of the trait method.
    fn param_ty(&self) -> TokenStream {
        let base = self.base();
        if self.optional {
            quote!(::core::option::Option<&#base>)
        } else {
            quote!(&#base)
        }
    }

    /// Field type of the argument struct (owned).
    fn field_ty(&self) -> TokenStream {
        let base = self.base();
        if self.optional {
            quote!(::core::option::Option<#base>)
        } else {
            quote!(#base)
        }
    }
}

/// The trait-method doc of `op`: its doc, then an `# Arguments` list.
fn method_doc(op: &Op, args: &[ArgGen]) -> Vec<String> {
    let mut lines = vec![op.doc.clone()];
    lines.push(String::new());
    lines.push(format!(
        "Spec operation `{}` (returns `{}`).",
        op.name, op.ret
    ));
    if !args.is_empty() {
        lines.push(String::new());
        lines.push("# Arguments".into());
        lines.push(String::new());
        lines.extend(args.iter().map(|a| format!("- {}", a.doc)));
    }
    lines
        .into_iter()
        .map(|l| format!(" {l}").trim_end().to_string())
        .collect()
}

/// The tokens `api!` expands to for a valid spec.
pub fn expand(spec: &Spec) -> TokenStream {
    let ops: Vec<&Op> = spec.ops_for(Target::Rust).collect();
    let hash = spec.hash();
    let names: Vec<&str> = ops.iter().map(|op| op.name.as_str()).collect();

    let mut methods = Vec::new();
    let mut structs = Vec::new();
    let mut arms = Vec::new();
    for op in &ops {
        let args: Vec<ArgGen> = op.args.iter().map(|a| ArgGen::new(spec, a)).collect();
        let method = ident(&op.rust_name());
        let doc = method_doc(op, &args);
        let params = args.iter().map(|a| {
            let (id, ty) = (&a.ident, a.param_ty());
            quote!(#id: #ty)
        });
        methods.push(quote! {
            #(#[doc = #doc])*
            fn #method(&self, #(#params),*) -> crate::Result<crate::Value>;
        });

        // The argument struct.
        let struct_name = format_ident!("{}Args", cairn_api_spec::naming::pascal(&op.name));
        let struct_doc = format!(" The arguments of `{}` ([`Api::{}`]).", op.name, method);
        let fields = args.iter().map(|a| {
            let (id, ty, doc) = (&a.ident, a.field_ty(), format!(" {}", a.doc));
            quote!(#[doc = #doc] pub #id: #ty,)
        });
        let call_args = args.iter().map(|a| {
            let id = &a.ident;
            if a.optional {
                quote!(self.#id.as_ref())
            } else {
                quote!(&self.#id)
            }
        });
        let call_doc = format!(" Calls [`Api::{method}`] with these arguments.");
        structs.push(quote! {
            #[doc = #struct_doc]
            #[derive(::core::clone::Clone, ::core::fmt::Debug)]
            pub struct #struct_name {
                #(#fields)*
            }

            #[automatically_derived]
            impl #struct_name {
                #[doc = #call_doc]
                pub fn call<A: Api + ?::core::marker::Sized>(&self, api: &A) -> crate::Result<crate::Value> {
                    api.#method(#(#call_args),*)
                }
            }
        });

        // The dispatch arm: arity check, then each argument by position.
        let patterns =
            std::iter::once(op.name.as_str()).chain(op.aliases.iter().map(String::as_str));
        let (min, max) = (op.required_arity(), op.args.len());
        let name = &op.name;
        let arity_msg = if min == max {
            format!("{name}: expected {min} argument(s), got {{}}")
        } else {
            format!("{name}: expected {min} to {max} arguments, got {{}}")
        };
        // Locals are `__a<i>`: spec names start with a letter, so they can
        // shadow neither the argument slice nor each other.
        let locals: Vec<Ident> = (0..args.len()).map(|i| format_ident!("__a{}", i)).collect();
        let fetch = args.iter().zip(&locals).enumerate().map(|(i, (a, local))| {
            let arg_name = &a.name;
            let idx = Literal::usize_unsuffixed(i);
            match (a.optional, a.handle) {
                // In range: the arity was checked.
                (false, true) => quote!(let #local = &args[#idx];),
                (false, false) => quote!(let #local = value(#name, #arg_name, &args[#idx])?;),
                (true, true) => quote!(let #local = args.get(#idx);),
                (true, false) => quote! {
                    let #local = match args.get(#idx) {
                        ::core::option::Option::Some(x) => ::core::option::Option::Some(value(#name, #arg_name, x)?),
                        ::core::option::Option::None => ::core::option::Option::None,
                    };
                },
            }
        });
        let (min_lit, max_lit) = (
            Literal::usize_unsuffixed(min),
            Literal::usize_unsuffixed(max),
        );
        // (No `len() < 0`: rustc would flag the comparison as useless.)
        let bad_arity = if min == 0 {
            quote!(args.len() > #max_lit)
        } else {
            quote!(args.len() < #min_lit || args.len() > #max_lit)
        };
        arms.push(quote! {
            #(#patterns)|* => {
                if #bad_arity {
                    return ::core::result::Result::Err(crate::api::usage(::std::format!(#arity_msg, args.len())));
                }
                #(#fetch)*
                api.#method(#(#locals),*)
            }
        });
    }

    let hash_doc = format!(" The hash of the `api.edn` this code was generated from (`{hash}`).");
    quote! {
        /// Cairn's public API, one method per operation of `api.edn` exposed in
        /// Rust. Generated by `cairn_macros::api!`; every method is required, so
        /// an operation added to the spec fails to compile until implemented.
        pub trait Api {
            #(#methods)*
        }

        #(#structs)*

        /// Calls the [`Api`] method of operation `op` (its spec name, e.g.
        /// `database-exists?`, or an alias) with positional arguments; optional
        /// trailing ones may be left out. A wrong arity or an unknown operation
        /// is a usage error naming it.
        pub fn dispatch<A: Api + ?::core::marker::Sized>(
            api: &A,
            op: &str,
            args: &[crate::api::Arg],
        ) -> crate::Result<crate::Value> {
            /// The plain value of argument `arg` of `op`, or a usage error when a
            /// handle was passed where the spec wants data.
            fn value<'a>(op: &str, arg: &str, x: &'a crate::api::Arg) -> crate::Result<&'a crate::Value> {
                match x {
                    crate::api::Arg::Value(v) => ::core::result::Result::Ok(v),
                    _ => ::core::result::Result::Err(crate::api::usage(::std::format!(
                        "{op}: argument `{arg}` must be a value"
                    ))),
                }
            }
            match op {
                #(#arms)*
                other => ::core::result::Result::Err(crate::api::usage(::std::format!(
                    "Unknown operation {other}; known: {}",
                    OPS.join(", ")
                ))),
            }
        }

        #[doc = #hash_doc]
        pub const SPEC_HASH: &str = #hash;

        /// The spec names of the operations of [`Api`], in spec order.
        pub const OPS: &[&str] = &[#(#names),*];
    }
}

/// The tokens `api!` expands to when the spec does not validate: one
/// `compile_error!` per problem.
pub fn spec_errors(errs: &SpecErrors) -> TokenStream {
    let msgs = errs.errors().iter().map(|e| format!("api.edn: {e}"));
    quote!(#(::core::compile_error!(#msgs);)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        cairn_api_spec::load().expect("the shipped api.edn is valid")
    }

    fn parsed(spec: &Spec) -> syn::File {
        syn::parse2(expand(spec)).expect("the expansion parses as Rust items")
    }

    fn api_trait(file: &syn::File) -> &syn::ItemTrait {
        file.items
            .iter()
            .find_map(|i| match i {
                syn::Item::Trait(t) if t.ident == "Api" => Some(t),
                _ => None,
            })
            .expect("an `Api` trait")
    }

    #[test]
    fn one_method_per_rust_op_without_default_bodies() {
        let spec = spec();
        let file = parsed(&spec);
        let methods: Vec<String> = api_trait(&file)
            .items
            .iter()
            .map(|i| match i {
                syn::TraitItem::Fn(f) => {
                    assert!(f.default.is_none(), "{} has a default body", f.sig.ident);
                    f.sig.ident.to_string()
                }
                other => panic!("unexpected trait item {}", quote!(#other)),
            })
            .collect();
        let expected: Vec<String> = spec.ops_for(Target::Rust).map(Op::rust_name).collect();
        assert_eq!(methods, expected);
        assert!(methods.contains(&"database_exists".to_string()));
        assert!(methods.contains(&"listen".to_string()));
        // Arity: one parameter per spec argument, plus `&self`.
        for (f, op) in api_trait(&file)
            .items
            .iter()
            .zip(spec.ops_for(Target::Rust))
        {
            let syn::TraitItem::Fn(f) = f else {
                unreachable!()
            };
            assert_eq!(f.sig.inputs.len(), op.args.len() + 1, "{}", op.name);
        }
    }

    #[test]
    fn dispatch_names_every_op_and_alias() {
        let spec = spec();
        let text = expand(&spec).to_string();
        for op in spec.ops_for(Target::Rust) {
            assert!(
                text.contains(&format!("\"{}\" =>", op.name))
                    || text.contains(&format!("\"{}\" |", op.name)),
                "{}",
                op.name
            );
            assert!(text.contains(&format!("{}Args", cairn_api_spec::naming::pascal(&op.name))));
        }
        assert!(text.contains("\"q\" | \"query\" =>"));
        assert!(text.contains(&spec.hash()));
        // Hygiene: no prelude names a `#![no_implicit_prelude]` module lacks.
        for bare in [
            " Option <",
            " Some (",
            " Ok (",
            " Err (",
            " Result <",
            " format !",
            " Vec <",
        ] {
            let n = text.matches(bare).count();
            let qualified = text.matches(&format!(":: {}", bare.trim_start())).count();
            assert_eq!(n, qualified, "unqualified `{bare}` in the expansion");
        }
        assert!(!text.contains(" use "));
    }

    #[test]
    fn handles_and_data_are_typed_apart() {
        let text = expand(&spec()).to_string();
        assert!(text.contains("fn database_exists (& self , config : :: core :: option :: Option < & crate :: api :: Arg >)"));
        assert!(text.contains(
            "fn transact (& self , conn : & crate :: api :: Arg , tx_input : & crate :: Value)"
        ));
        assert!(text.contains("args : :: core :: option :: Option < & crate :: api :: Arg >"));
        assert!(text.contains("offset : :: core :: option :: Option < & crate :: Value >"));
    }

    #[test]
    fn a_spec_error_becomes_one_compile_error_each() {
        let errs = cairn_api_spec::parse(
            "{:format 1 :doc \"x\" :types [] :errors [] \
             :ops [{:name q :doc \"Query.\" :args [{:name query :type Query}] :ret Nope \
                    :categories [:query] :stability :stable :remote? true :pure? true}]}",
        )
        .unwrap_err();
        let out = spec_errors(&errs);
        let text = out.to_string();
        assert_eq!(text.matches("compile_error !").count(), errs.errors().len());
        assert!(text.contains("op `q` arg `query`: `:doc` is required"));
        syn::parse2::<syn::File>(out).expect("compile_error! invocations parse as items");
    }

    #[test]
    fn expansion_snapshot() {
        let pretty = prettyplease::unparse(&parsed(&spec()));
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("macros_api_expansion", pretty);
        });
    }
}
