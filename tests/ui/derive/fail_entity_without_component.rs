use cairn::Entity;

#[derive(Entity)]
struct Address {
    city: String,
}

#[derive(Entity)]
struct Person {
    home: Address,
}

fn main() {}
