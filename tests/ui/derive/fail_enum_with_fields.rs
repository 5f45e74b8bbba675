use cairn::Entity;

#[derive(Entity)]
#[entity(ns = "shape")]
enum Shape {
    Circle(f64),
    Square,
}

fn main() {}
