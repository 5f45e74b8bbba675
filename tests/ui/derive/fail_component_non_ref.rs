use cairn::Entity;

#[derive(Entity)]
struct Person {
    #[entity(component)]
    name: String,
}

fn main() {}
