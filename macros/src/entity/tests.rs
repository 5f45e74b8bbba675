//! The derive as a function: expansions snapshotted (prettyplease), and
//! the checks that need no compiler (the trybuild cases under
//! `tests/ui/derive/` cover the errors as users see them).

use quote::quote;

use super::derive;
use super::model::kebab_type;

fn expand(input: proc_macro2::TokenStream) -> String {
    let input: syn::DeriveInput = syn::parse2(input).expect("derive input");
    let out = derive(&input);
    let file: syn::File = syn::parse2(out).expect("expansion parses as items");
    prettyplease::unparse(&file)
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn struct_expansion() {
    let text = expand(quote! {
        #[entity(ns = "person")]
        struct Person {
            #[entity(id)]
            id: Option<EntityId>,
            #[entity(unique = "identity", doc = "Login e-mail")]
            email: String,
            #[entity(index, rename = "full-name")]
            name: String,
            age: Option<i64>,
            tags: BTreeSet<String>,
            #[entity(component)]
            home: Option<Address>,
            #[entity(component)]
            past_homes: Vec<Address>,
            friends: Vec<Ref<Person>>,
            #[entity(no_history)]
            avatar: Vec<u8>,
            #[entity(tuple_attrs = ["email", "full-name"], unique = "value")]
            email_name: Option<(Option<String>, Option<String>)>,
        }
    });
    snapshot("derive_entity_struct_expansion", &text);
}

#[test]
fn keyword_enum_expansion() {
    let text = expand(quote! {
        #[entity(ns = "status")]
        enum Status {
            Active,
            InProgress,
            #[entity(rename = "gone")]
            Inactive,
        }
    });
    snapshot("derive_entity_enum_expansion", &text);
}

#[test]
fn errors_are_collected_and_expand_to_compile_errors() {
    let input: syn::DeriveInput = syn::parse2(quote! {
        struct Person<T> {
            #[entity(unique = "identity")]
            tags: Vec<String>,
            #[entity(component)]
            age: i64,
            #[entity(bogus)]
            name: String,
            hits: u64,
            other: T,
        }
    })
    .expect("derive input");
    let text = derive(&input).to_string();
    assert_eq!(text.matches("compile_error").count(), 5, "{text}");
    for needle in [
        "generic types",
        "cardinality-many",
        "`component` needs a reference",
        "unknown entity option `bogus`",
        "does not fit a long",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[test]
fn names_are_kebab_case() {
    assert_eq!(kebab_type("Person"), "person");
    assert_eq!(kebab_type("OrderLine"), "order-line");
    assert_eq!(kebab_type("HTTPServer"), "http-server");
    assert_eq!(kebab_type("Ipv4Addr"), "ipv4-addr");
    let text = expand(quote! {
        struct OrderLine { unit_price: i64, r#type: String }
    });
    assert!(text.contains("\"order-line/unit-price\""), "{text}");
    assert!(text.contains("\"order-line/type\""), "{text}");
    assert!(text.contains("pub const UNIT_PRICE"), "{text}");
    assert!(text.contains("pub const TYPE"), "{text}");
}
