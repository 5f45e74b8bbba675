use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(indexed)]
    name: String,
}

fn main() {}
