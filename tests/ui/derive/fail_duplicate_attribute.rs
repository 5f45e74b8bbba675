use cairn::Entity;

#[derive(Entity)]
struct Person {
    name: String,
    #[entity(rename = "name")]
    full_name: String,
}

fn main() {}
