//! Writes the synthetic benchmark tree to a directory, for whole-process measurements:
//! `cargo run --release --example synthetic_tree -- /tmp/tree`.

#[path = "../benches/tree.rs"]
mod tree;

fn main() -> std::io::Result<()> {
    let Some(out) = std::env::args_os().nth(1) else {
        return Err(std::io::Error::other("usage: synthetic_tree OUT_DIR"));
    };
    tree::write_tree(std::path::Path::new(&out), tree::BUDGET_TREE)
}
