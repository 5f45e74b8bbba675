use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(unique = "primary")]
    email: String,
}

fn main() {}
