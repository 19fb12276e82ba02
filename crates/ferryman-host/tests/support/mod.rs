//! What the integration tests share: where the fixture library is.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `target/<profile>/libferryman_fixture.so` next to the test binary (built
/// with `cargo build -p ferryman-fixture` when missing), or the path in
/// `FERRYMAN_FIXTURE`, as for the Python tests.
pub fn fixture_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(path) = std::env::var_os("FERRYMAN_FIXTURE") {
            return PathBuf::from(path);
        }
        // target/<profile>/deps/fixture_library-<hash>
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let file = format!(
            "{}ferryman_fixture{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        );
        let path = profile_dir.join(file);
        if !path.exists() {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut command = std::process::Command::new(cargo);
            command
                .args(["build", "--quiet", "-p", "ferryman-fixture"])
                .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
            if profile_dir.ends_with("release") {
                command.arg("--release");
            }
            let status = command.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p ferryman-fixture failed");
        }
        path
    })
}
