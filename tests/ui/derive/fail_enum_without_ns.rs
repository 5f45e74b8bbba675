use cairn::Entity;

#[derive(Entity)]
enum Status {
    Active,
    Inactive,
}

fn main() {}
