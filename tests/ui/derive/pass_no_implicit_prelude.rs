#![no_implicit_prelude]

use ::cairn::{Entity, EntityId, Ref};

// Local items named like everything generated code might use unqualified.
#[allow(dead_code)]
type Result<T> = ::core::result::Result<T, ()>;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
struct Value;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
mod core {}

#[derive(Entity)]
#[entity(ns = "thing")]
#[allow(dead_code)]
struct Thing {
    #[entity(id)]
    id: EntityId,
    #[entity(unique = "identity")]
    name: ::std::string::String,
    tags: ::std::collections::BTreeSet<::std::string::String>,
    #[entity(component)]
    parts: ::std::vec::Vec<Part>,
    link: ::core::option::Option<Ref<Thing>>,
}

#[derive(Entity)]
#[entity(ns = "part")]
#[allow(dead_code)]
struct Part {
    weight: f64,
}

#[derive(Entity)]
#[entity(ns = "kind")]
#[allow(dead_code)]
enum Kind {
    Big,
}

fn main() {
    let _ = <Thing as Entity>::schema();
}
