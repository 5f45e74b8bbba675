use std::collections::{BTreeSet, HashSet};
use std::time::SystemTime;

use cairn::typed::{BigDecimal, BigInt};
use cairn::{Entity, EntityId, Keyword, Ref};

#[derive(Entity)]
#[entity(ns = "status")]
enum Status {
    Active,
    #[entity(rename = "gone")]
    Inactive,
}

#[derive(Entity)]
struct Address {
    #[entity(id)]
    id: EntityId,
    city: String,
}

#[derive(Entity)]
#[entity(ns = "person")]
struct Person {
    #[entity(id)]
    id: Option<EntityId>,
    #[entity(unique = "identity", doc = "Login e-mail")]
    email: String,
    #[entity(unique = "value", index)]
    handle: String,
    #[entity(no_history, rename = "full-name")]
    name: String,
    age: Option<i32>,
    height: f32,
    weight: f64,
    active: bool,
    uid: uuid::Uuid,
    born: SystemTime,
    avatar: Vec<u8>,
    role: Keyword,
    balance: BigDecimal,
    big: BigInt,
    status: Status,
    point: (i64, i64),
    tags: Vec<String>,
    scores: BTreeSet<i64>,
    labels: HashSet<String>,
    #[entity(component)]
    home: Address,
    #[entity(component)]
    past: Vec<Address>,
    #[entity(component)]
    note: Option<Ref<Address>>,
    friends: Vec<Ref<Person>>,
    manager: Option<EntityId>,
    #[entity(tuple_attrs = ["email", "handle"])]
    email_handle: Option<(Option<String>, Option<String>)>,
    #[entity(rename = "other.ns/thing")]
    r#type: String,
}

fn main() {
    assert_eq!(Person::NAME.ident(), "person/full-name");
    assert_eq!(Person::TYPE.ident(), "other.ns/thing");
    assert_eq!(<Person as Entity>::attributes().len(), 25);
    let _ = Status::Active.keyword();
    let _ = Status::Inactive;
}
