//! The bundled data (`include_dir!` of `seeds/` and `intents/`) is read at compile time, and
//! cargo does not see a file added to those directories: this tells it to rebuild when anything
//! under them changes.

fn main() {
    for dir in ["seeds", "intents", "models"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
