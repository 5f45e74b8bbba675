use cairn::Entity;

struct Color(u8, u8, u8);

#[derive(Entity)]
struct Car {
    color: Color,
}

fn main() {}
