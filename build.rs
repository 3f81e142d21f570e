// The lesson pack is embedded with include_dir!, which cannot tell cargo to
// rebuild when a pack file changes; these lines do (cargo scans the folders).
fn main() {
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=solutions");
}
