//! The module layers of docs/ARCHITECTURE.md hold in the code: no module of `src/` imports a
//! module of a higher layer, no two modules import each other (directly or round a circle), and
//! within a folder no file imports a sibling that imports it back. Every module is in a layer,
//! so a new one must be placed before it lands.
//!
//! Imports are read from the source text: every `crate::…` and `super::…` path outside comments
//! and `#[cfg(test)]` modules, with the root re-exports of `lib.rs` resolved to their modules.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The layers ARCHITECTURE.md lists under "## Layers", lowest first: module name → layer.
fn layers() -> BTreeMap<String, usize> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/ARCHITECTURE.md")).unwrap();
    let section = doc
        .split("\n## Layers\n")
        .nth(1)
        .expect("docs/ARCHITECTURE.md has a `## Layers` section");
    let item = Regex::new(r"^(\d+)\. (.*)$").unwrap();
    let name = Regex::new(r"`([a-z_]+)`").unwrap();
    let mut out = BTreeMap::new();
    for line in section.lines().take_while(|l| !l.starts_with("## ")) {
        let Some(c) = item.captures(line) else {
            continue;
        };
        let layer: usize = c[1].parse().unwrap();
        // The modules are the names before the dash; what follows explains them.
        let modules = c[2].split(" — ").next().unwrap_or_default();
        for m in name.captures_iter(modules) {
            let previous = out.insert(m[1].to_string(), layer);
            assert!(previous.is_none(), "`{}` is in two layers", &m[1]);
        }
    }
    assert!(!out.is_empty(), "the `## Layers` section lists no layer");
    out
}

/// Every `.rs` file under `src/`, by its path relative to `src/`.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((
                    path.strip_prefix(base).unwrap().to_path_buf(),
                    code_of(&text),
                ));
            }
        }
    }
    let src = Path::new(ROOT).join("src");
    let mut out = Vec::new();
    walk(&src, &src, &mut out);
    out
}

/// A file's code without its comments and its test module (by custom the last item).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| match l.find(" // ") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module path of a file: `check/sets.rs` → `check::sets`, `check/mod.rs` → `check`;
/// `main.rs` and `cli/` are the binary, `cli`.
fn module_of(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = path
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["main"] {
        parts = vec!["cli".into()];
    }
    parts
}

/// The names `lib.rs` re-exports at the root, and the module each comes from.
fn root_exports() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).unwrap();
    let code = code_of(&lib);
    let export = Regex::new(r"pub use ([a-z_]+)::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let ident = Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").unwrap();
    let mut out = BTreeMap::new();
    for c in export.captures_iter(&code) {
        for name in ident.find_iter(&c[2]) {
            out.insert(name.as_str().to_string(), c[1].to_string());
        }
    }
    out
}

/// The first segment of each path a `use` group or an inline path names after `prefix::`:
/// `crate::{a::X, b}` gives `a` and `b`; `super::names::Namespace` gives `names`.
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let single = Regex::new(&format!(r"\b{prefix}::([A-Za-z_][A-Za-z0-9_]*)")).unwrap();
    let group = Regex::new(&format!(r"\b{prefix}::\{{([^;]*?)\}};")).unwrap();
    let item = Regex::new(r"(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let mut out: BTreeSet<String> = single
        .captures_iter(code)
        .map(|c| c[1].to_string())
        .collect();
    for g in group.captures_iter(code) {
        // Only the top level of the group: drop nested braces first.
        let mut flat = String::new();
        let mut depth = 0;
        for ch in g[1].chars() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ if depth == 0 => flat.push(ch),
                _ => {}
            }
        }
        out.extend(item.captures_iter(&flat).map(|c| c[1].to_string()));
    }
    out
}

/// A circle in a directed graph, if there is one, as the nodes round it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Active) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut round = path[start..].to_vec();
                round.push(node.to_string());
                return Some(round);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Active);
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(round) = visit(next, edges, marks, path) {
                return Some(round);
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut marks, &mut Vec::new()))
}

/// Which top-level modules each top-level module imports, with a file that does it.
fn module_imports() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let exports = root_exports();
    let sources = sources();
    let modules: BTreeSet<String> = sources
        .iter()
        .map(|(path, _)| module_of(path)[0].clone())
        .collect();
    let mut out: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for (path, code) in &sources {
        let from = module_of(path)[0].clone();
        if from == "lib" {
            continue;
        }
        let entry = out.entry(from.clone()).or_default();
        for name in named_after(code, "crate") {
            let to = if modules.contains(&name) {
                name
            } else if let Some(m) = exports.get(&name) {
                m.clone()
            } else {
                continue;
            };
            if to != from {
                entry.entry(to).or_insert_with(|| path.clone());
            }
        }
    }
    out
}

#[test]
fn every_module_of_src_is_in_a_layer() {
    let layers = layers();
    let unplaced: Vec<String> = sources()
        .iter()
        .map(|(path, _)| module_of(path)[0].clone())
        .filter(|m| m != "lib" && !layers.contains_key(m))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer of docs/ARCHITECTURE.md: {unplaced:?}; add each to the `## Layers` list"
    );
    let gone: Vec<&String> = layers
        .keys()
        .filter(|m| !sources().iter().any(|(p, _)| &module_of(p)[0] == *m))
        .collect();
    assert!(
        gone.is_empty(),
        "the `## Layers` list names modules that do not exist: {gone:?}"
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let layers = layers();
    let mut wrong = Vec::new();
    for (from, imports) in module_imports() {
        let Some(&low) = layers.get(&from) else {
            continue;
        };
        for (to, file) in imports {
            if let Some(&high) = layers.get(&to) {
                if high > low {
                    wrong.push(format!(
                        "src/{} ({from}, layer {low}) imports {to} (layer {high})",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that go up a layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let edges: BTreeMap<String, BTreeSet<String>> = module_imports()
        .into_iter()
        .map(|(from, to)| (from, to.into_keys().collect()))
        .collect();
    if let Some(round) = circle(&edges) {
        panic!(
            "modules import each other in a circle: {}",
            round.join(" → ")
        );
    }
}

#[test]
fn no_file_imports_a_sibling_that_imports_it_back() {
    // Files of one folder, by their parent module: the edges between siblings.
    let sources = sources();
    let mut folders: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut siblings: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for (path, _) in &sources {
        let module = module_of(path);
        if let Some((name, parent)) = module.split_last() {
            siblings
                .entry(parent.to_vec())
                .or_default()
                .insert(name.clone());
        }
    }
    for (path, code) in &sources {
        let module = module_of(path);
        let Some((name, parent)) = module.split_last() else {
            continue;
        };
        let known = siblings.get(parent).cloned().unwrap_or_default();
        let mut targets = named_after(code, "super");
        // `crate::folder::sibling` names a sibling too.
        let full = format!("crate::{}", parent.join("::"));
        if !parent.is_empty() {
            targets.extend(named_after(code, &full));
        }
        let edges = folders
            .entry(parent.to_vec())
            .or_default()
            .entry(name.clone())
            .or_default();
        edges.extend(
            targets
                .into_iter()
                .filter(|t| known.contains(t) && t != name),
        );
    }
    let mut circles = Vec::new();
    for (parent, edges) in &folders {
        if let Some(round) = circle(edges) {
            circles.push(format!("src/{}: {}", parent.join("/"), round.join(" → ")));
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other in a circle:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_finds_imports_of_each_form() {
    let code = code_of(
        "use crate::{ir::Program, codes};\nuse super::names::{A, B};\n// use crate::cli;\n\
         let x = crate::spelling::did_you_mean(a);\n",
    );
    let crate_names: Vec<String> = named_after(&code, "crate").into_iter().collect();
    assert_eq!(crate_names, ["codes", "ir", "spelling"]);
    let super_names: Vec<String> = named_after(&code, "super").into_iter().collect();
    assert_eq!(super_names, ["names"]);
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        circle(&edges),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
