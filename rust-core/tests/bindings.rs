//! The committed C# bindings (`bindings/`) must be what this source generates: regenerate into a
//! temp folder and compare. `OQG_UPDATE_BINDINGS=1 cargo test --test bindings` rewrites them.

use interoptopus_csharp::RustLibrary;
use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("bindings")
}

fn generate_into(dir: &Path) {
    RustLibrary::builder(outlook_qr_guard::ffi_inventory())
        .dll_name("outlook_qr_guard")
        .dispatch(interoptopus_csharp::dispatch::Dispatch::single_file(
            "OutlookQrGuard.Native",
        ))
        .build()
        .process()
        .expect("bindings generate")
        .write_buffers_to(dir.to_str().expect("utf-8 path"))
        .expect("bindings written");
    apply_upstream_fixups(dir);
}

/// interoptopus_csharp 0.16.6 declares async wrappers that take callbacks `async unsafe`, which
/// makes every `await` in them an error (CS4004, any C# version). Their unsafe operations are
/// already inside `unsafe { }` blocks, so dropping the modifier is all the fix needs.
fn apply_upstream_fixups(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read generated") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read generated file");
        let fixed = text.replace("static async unsafe ", "static async ");
        if fixed != text {
            std::fs::write(&path, fixed).expect("write fixed file");
        }
    }
}

#[test]
fn bindings_are_current() {
    if std::env::var_os("OQG_UPDATE_BINDINGS").is_some() {
        generate_into(&committed_dir());
    }
    let fresh = tempfile::tempdir().expect("temp dir");
    generate_into(fresh.path());
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(fresh.path()).expect("read fresh") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        let generated = std::fs::read_to_string(entry.path()).expect("read generated");
        let committed = std::fs::read_to_string(committed_dir().join(&name)).unwrap_or_default();
        if generated != committed {
            stale.push(name.to_string_lossy().into_owned());
        }
    }
    assert!(
        stale.is_empty(),
        "bindings/ is stale for {stale:?}: run `OQG_UPDATE_BINDINGS=1 cargo test -p outlook-qr-guard-core --test bindings` (or build.ps1 -Task Bindings) and commit the result"
    );
}
