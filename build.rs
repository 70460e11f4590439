//! Embeds the standard pack (`policies/`) in the binary, so that it runs from any folder: its
//! policy, test and table text files, and its compressed data files (the national tables), each
//! of these with a SHA-256 of its bytes so that a table built from it can be cached.

// A build script reports a failure by panicking: cargo stops the build and shows the message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed=policies");
    println!("cargo:rerun-if-changed=grammar");
    let mut files = Vec::new();
    collect(&policies, &mut files);
    files.sort();
    let mut text =
        String::from("/// The standard pack's text files: name as shown in findings, and text.\n");
    text.push_str("pub static STANDARD_PACK: &[(&str, &str)] = &[\n");
    let mut data = String::from(
        "/// The standard pack's compressed data files: name, bytes, and `sha256:` of the bytes.\n",
    );
    data.push_str("pub static STANDARD_PACK_DATA: &[(&str, &[u8], &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path.strip_prefix(&root).expect("under the manifest dir");
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let shown = path.display().to_string();
        if is_compressed(path) {
            let bytes = fs::read(path).expect("read a data file of the standard pack");
            let hash: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            data.push_str(&format!(
                "    ({name:?}, include_bytes!({shown:?}), \"sha256:{hash}\"),\n"
            ));
        } else {
            text.push_str(&format!("    ({name:?}, include_str!({shown:?})),\n"));
        }
    }
    text.push_str("];\n");
    data.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("standard_pack.rs");
    fs::write(dest, text + &data).expect("write the embedded pack");
}

fn is_compressed(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst" || e == "gz")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else if is_compressed(&path)
            || path
                .extension()
                .is_some_and(|e| e == "policy" || e == "csv" || e == "tsv")
        {
            out.push(path);
        }
    }
}
