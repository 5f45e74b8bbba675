use cairn::Entity;

#[derive(Entity)]
#[entity(namespace = "person")]
struct Person {
    name: String,
}

fn main() {}
