use cairn::Entity;

#[derive(Entity)]
struct Counter {
    hits: u64,
}

fn main() {}
