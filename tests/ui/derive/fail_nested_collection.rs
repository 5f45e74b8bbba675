use cairn::Entity;

#[derive(Entity)]
struct Matrix {
    rows: Vec<Vec<i64>>,
}

fn main() {}
