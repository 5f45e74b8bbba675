// Every problem of a struct is reported, not just the first.
use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(unique = "identity")]
    tags: Vec<String>,
    #[entity(component)]
    age: i64,
    #[entity(colour = "red")]
    name: String,
}

fn main() {}
