use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(unique = "identity")]
    emails: Vec<String>,
}

fn main() {}
