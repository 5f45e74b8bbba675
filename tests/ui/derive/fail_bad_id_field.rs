use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(id)]
    id: i64,
    name: String,
}

fn main() {}
