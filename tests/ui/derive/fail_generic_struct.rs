use cairn::Entity;

#[derive(Entity)]
struct Wrapper<T> {
    value: T,
}

fn main() {}
