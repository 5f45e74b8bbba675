use cairn::Entity;

#[derive(Entity)]
struct Point(i64, i64);

fn main() {}
