//! Packs and their layering: each pack's manifest, the pack it is layered on, and how its
//! `override rule`, `disable rule` and `change rule … to …` change the rules of the packs below
//! it, date by date.
//!
//! Packs are given bottom first, and a pack can only be layered on one given before it, so a
//! pack's index is always above those of the packs below it.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::error::*;
use super::Checker;
use crate::ir::*;
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Loc};

/// Where the checker's files come from: the pack of each file, and each pack's source.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The pack (index into `packs`) of each file, in file order.
    pub file_pack: Vec<PackId>,
    /// Each pack, bottom first.
    pub packs: Vec<PackOrigin>,
}

/// Where a pack comes from, and the name it goes by without a manifest.
#[derive(Debug, Clone)]
pub struct PackOrigin {
    /// A folder, or "the standard pack".
    pub source: String,
    pub default_name: String,
}

/// An `override rule`, `disable rule` or `change rule`, found while declaring.
pub(super) struct Change<'a> {
    pub file: FileId,
    pub pack: PackId,
    pub id: &'a ast::Word,
    pub effective: Option<&'a ast::Effective>,
    pub kind: ChangeKind<'a>,
}

/// What a pack does to a rule of a pack below.
#[derive(Clone, Copy)]
pub(super) enum ChangeKind<'a> {
    /// `override rule ID …`: a rule of its own in its place.
    Override,
    /// `disable rule ID reason "…"`: not in force.
    Disable { reason: &'a ast::Word },
    /// `change rule ID to ACTION reason "…"`: in force, with another action.
    Action {
        to: &'a ast::Word,
        reason: &'a ast::Word,
    },
}

impl<'a> Checker<'a> {
    /// The pack a file belongs to.
    pub(super) fn pack_of(&self, file: FileId) -> PackId {
        self.layout
            .file_pack
            .get(file.0 as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Reads each pack's manifest into [`Program::packs`]: its name, version, the pack it is
    /// layered on (the one given before it, unless `extends` names another) and its window.
    pub(super) fn declare_packs(&mut self) {
        let mut manifests: Vec<Option<(FileId, &'a ast::PackDecl)>> =
            vec![None; self.layout.packs.len()];
        let decls: Vec<(FileId, &'a ast::PackDecl)> = self
            .items()
            .filter_map(|(file, item)| match item {
                ast::Item::Pack(p) => Some((file, p)),
                _ => None,
            })
            .collect();
        for (file, decl) in decls {
            self.file = file;
            let pack = self.pack_of(file) as usize;
            match manifests.get(pack).copied().flatten() {
                Some((first_file, first)) => {
                    let first_at = self.describe_loc(Loc {
                        file: first_file,
                        span: first.span,
                    });
                    self.error(Layering {
                        problem: format!(
                            "pack `{}` has a second manifest (`pack \"{}\"`)",
                            first.name.text, decl.name.text
                        ),
                        span: decl.name.span.into(),
                        label: "a second manifest".into(),
                        help: format!(
                            "a pack has one manifest, by custom in `pack.policy`; the first is in \
                             {first_at}"
                        ),
                    });
                }
                None => {
                    if let Some(slot) = manifests.get_mut(pack) {
                        *slot = Some((file, decl));
                    }
                }
            }
        }
        for (i, origin) in self.layout.packs.clone().into_iter().enumerate() {
            let manifest = manifests[i];
            let pack = match manifest {
                Some((file, decl)) => {
                    self.file = file;
                    self.pack_from_manifest(i, &origin, file, decl)
                }
                None => Pack {
                    name: origin.default_name.as_str().into(),
                    version: None,
                    extends: i.checked_sub(1).map(|p| p as PackId),
                    description: None,
                    window: DateWindow::default(),
                    source: origin.source.as_str().into(),
                    loc: None,
                    overrides: Vec::new(),
                    disables: Vec::new(),
                    changes: Vec::new(),
                },
            };
            self.program.packs.push(pack);
        }
    }

    fn pack_from_manifest(
        &mut self,
        index: usize,
        origin: &PackOrigin,
        file: FileId,
        decl: &'a ast::PackDecl,
    ) -> Pack {
        let earlier = &self.program.packs[..index];
        if let Some(same) = earlier.iter().find(|p| *p.name == *decl.name.text) {
            let problem = format!(
                "two packs are named `{}`: {} and {}",
                decl.name.text, same.source, origin.source
            );
            self.error(Layering {
                problem,
                span: decl.name.span.into(),
                label: "named again here".into(),
                help: "give each pack a name of its own; findings and `claimrules packs` name \
                       packs by it"
                    .into(),
            });
        }
        let extends = match &decl.extends {
            None => index.checked_sub(1).map(|p| p as PackId),
            Some(name) => self.extended_pack(index, name),
        };
        let window = self.effective(decl.effective.as_ref()).unwrap_or_default();
        Pack {
            name: decl.name.text.as_str().into(),
            version: decl.version.as_ref().map(|v| v.text.as_str().into()),
            extends,
            description: decl.description.as_ref().map(|d| d.text.as_str().into()),
            window,
            source: origin.source.as_str().into(),
            loc: Some(Loc {
                file,
                span: decl.span,
            }),
            overrides: Vec::new(),
            disables: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The pack an `extends` names: one given before this one.
    fn extended_pack(&mut self, index: usize, name: &ast::Word) -> Option<PackId> {
        let earlier = &self.program.packs[..index];
        if let Some(found) = earlier.iter().position(|p| *p.name == *name.text) {
            return Some(found as PackId);
        }
        let names: Vec<String> = earlier.iter().map(|p| p.name.to_string()).collect();
        let help = if names.is_empty() {
            "this pack is loaded first, so it cannot extend another; load the pack it extends \
             before it (`--pack` in order)"
                .to_string()
        } else {
            let close = did_you_mean(&name.text, names.iter().map(|n| &**n), "pack");
            format!(
                "{close} (packs load in the order given; before this one: {})",
                names.join(", ")
            )
        };
        self.error(Layering {
            problem: format!("no pack loaded before this one is named `{}`", name.text),
            span: name.span.into(),
            label: "no pack below is called this".into(),
            help,
        });
        None
    }

    /// Whether pack `below` is under pack `above`, following `extends`.
    pub(super) fn is_below(&self, below: PackId, above: PackId) -> bool {
        let mut at = self
            .program
            .packs
            .get(above as usize)
            .and_then(|p| p.extends);
        while let Some(p) = at {
            if p == below {
                return true;
            }
            at = self.program.packs.get(p as usize).and_then(|p| p.extends);
        }
        false
    }

    pub(super) fn pack_name(&self, pack: PackId) -> String {
        self.program
            .packs
            .get(pack as usize)
            .map_or_else(|| "?".to_string(), |p| p.name.to_string())
    }

    /// The dates a rule, table or change of a pack is in force on: its own `effective`, within
    /// the pack's. `None` after an error.
    pub(super) fn in_force(
        &mut self,
        pack: PackId,
        effective: Option<&ast::Effective>,
    ) -> Option<DateWindow> {
        let own = self.effective(effective)?;
        let pack_window = self
            .program
            .packs
            .get(pack as usize)
            .map(|p| p.window)
            .unwrap_or_default();
        // Outside its pack's window nothing of the pack is in force: an empty window.
        Some(own.intersection(pack_window).unwrap_or(NEVER))
    }

    /// Checks every override and disable against the packs below it, then narrows the dates
    /// each rule is in force on to those no pack above replaces.
    pub(super) fn layer_rules(&mut self) {
        let changes = std::mem::take(&mut self.changes);
        let definitions: HashMap<&'a str, (PackId, Loc)> = self
            .rule_ids
            .iter()
            .map(|(id, loc)| (*id, (self.pack_of(loc.file), *loc)))
            .collect();
        let definitions = &definitions;
        let changes = &changes[..];
        let mut ok = true;
        for change in changes {
            self.file = change.file;
            ok &= self.check_target(change, definitions);
        }
        ok &= self.check_conflicts(changes);
        if !ok || !self.errors.is_empty() {
            return;
        }
        // The versions (the rule and its overrides) of each rule a pack changes.
        let mut versions: HashMap<&str, Vec<usize>> = changes
            .iter()
            .map(|c| (c.id.text.as_str(), Vec::new()))
            .collect();
        for (i, rule) in self.program.rules.iter().enumerate() {
            if let Some(v) = versions.get_mut(&*rule.id) {
                v.push(i);
            }
        }
        for change in changes {
            self.file = change.file;
            let Some(window) = self.in_force(change.pack, change.effective) else {
                continue;
            };
            let id = change.id.text.as_str();
            // The versions of the rule below this change: the rule and the overrides of packs
            // between.
            let below: Vec<usize> = versions[id]
                .iter()
                .copied()
                .filter(|&i| self.is_below(self.program.rules[i].pack, change.pack))
                .collect();
            let loc = Loc {
                file: change.file,
                span: change.id.span,
            };
            match change.kind {
                ChangeKind::Override | ChangeKind::Disable { .. } => {
                    // Every version of the rule below loses the dates the change covers.
                    for &i in &below {
                        let rule = &mut self.program.rules[i];
                        rule.in_force =
                            rule.in_force.iter().flat_map(|w| w.minus(window)).collect();
                    }
                }
                ChangeKind::Action { to, reason } => {
                    let Some(to) = self.changed_action(change, to, &below) else {
                        continue;
                    };
                    let changed = ActionChange {
                        rule: id.into(),
                        pack: change.pack,
                        to,
                        reason: reason.text.as_str().into(),
                        window,
                        loc,
                    };
                    for &i in &below {
                        self.program.rules[i].action_changes.push(changed.clone());
                    }
                    self.program.packs[change.pack as usize]
                        .changes
                        .push(changed);
                }
            }
            let pack = &mut self.program.packs[change.pack as usize];
            match change.kind {
                ChangeKind::Override => pack.overrides.push(id.into()),
                ChangeKind::Disable { reason } => {
                    pack.disables.push(id.into());
                    self.program.disabled.push(Disabled {
                        rule: id.into(),
                        pack: change.pack,
                        reason: reason.text.as_str().into(),
                        window,
                        loc,
                    });
                }
                ChangeKind::Action { .. } => {}
            }
        }
    }

    /// The action a `change rule … to ACTION` gives the versions `below` of the rule: `deny`,
    /// `review` or `info`, where one of them denies, reviews or informs (a pair edit or a
    /// table's edits deny) and not every one already takes that action. `None` after an error.
    fn changed_action(
        &mut self,
        change: &Change<'a>,
        to: &ast::Word,
        below: &[usize],
    ) -> Option<ActionKind> {
        let action = match to.text.as_str() {
            "deny" => ActionKind::Deny,
            "review" => ActionKind::Review,
            "info" => ActionKind::Info,
            // The grammar reads only these three.
            other => {
                self.error(Layering {
                    problem: format!("`{other}` is not an action a rule can be changed to"),
                    span: to.span.into(),
                    label: "not `deny`, `review` or `info`".into(),
                    help: "write `to deny`, `to review` or `to info`".into(),
                });
                return None;
            }
        };
        let id = &change.id.text;
        let verdicts: Vec<ActionKind> = below
            .iter()
            .flat_map(|&i| verdicts(&self.program.rules[i].kind))
            .collect();
        if verdicts.is_empty() {
            let what = below
                .first()
                .map(|&i| match self.program.rules[i].kind {
                    RuleKind::Derive => "derives facts (`implies`): it has no action",
                    _ => "only suggests or modifies: it has no deny, review or info",
                })
                .unwrap_or("has no action");
            self.error(Layering {
                problem: format!("rule `{id}` {what} to change to `{to}`", to = to.text),
                span: change.id.span.into(),
                label: "the rule to change".into(),
                help: "`change rule` gives another action to a rule that denies, reviews or \
                       informs (pair edits and `apply edits of` deny); to change a rule that \
                       suggests or modifies, write `override rule` with the whole rule"
                    .into(),
            });
            return None;
        }
        if verdicts.iter().all(|v| *v == action) {
            self.error(Layering {
                problem: format!("rule `{id}` already takes the action `{}`", to.text),
                span: to.span.into(),
                label: "the action it has".into(),
                help: format!(
                    "a change gives a rule another action: write {}, or remove this `change \
                     rule`",
                    ["deny", "review", "info"]
                        .iter()
                        .filter(|a| **a != to.text)
                        .map(|a| format!("`to {a}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            });
            return None;
        }
        Some(action)
    }

    /// An override or disable must name a rule that a pack below defines.
    fn check_target(
        &mut self,
        change: &Change<'a>,
        definitions: &HashMap<&'a str, (PackId, Loc)>,
    ) -> bool {
        let verb = change.verb();
        let here = self.pack_name(change.pack);
        let id = &change.id.text;
        let problem = match definitions.get(id.as_str()) {
            Some(&(pack, _)) if self.is_below(pack, change.pack) => return true,
            Some(&(pack, loc)) if pack == change.pack => (
                format!("rule `{id}` is defined by this same pack `{here}`; it cannot {verb} it"),
                format!(
                    "change the rule itself, in {}; `{verb} rule` is for rules of the packs below",
                    self.describe_loc(loc)
                ),
            ),
            Some(&(pack, _)) => {
                let other = self.pack_name(pack);
                (
                    format!(
                        "rule `{id}` is defined by pack `{other}`, which pack `{here}` is not \
                         layered on"
                    ),
                    format!(
                        "a pack can {verb} only rules of the packs below it; write `extends \
                         \"{other}\"` in the manifest of `{here}` and load `{other}` first"
                    ),
                )
            }
            None => {
                let below: Vec<&str> = definitions
                    .iter()
                    .filter(|(_, (pack, _))| self.is_below(*pack, change.pack))
                    .map(|(id, _)| *id)
                    .collect();
                (
                    format!("no pack below `{here}` defines a rule `{id}` to {verb}"),
                    did_you_mean(id, below.iter().copied(), "rule"),
                )
            }
        };
        self.error(Layering {
            problem: problem.0,
            span: change.id.span.into(),
            label: format!("the rule to {verb}"),
            help: problem.1,
        });
        false
    }

    /// Two packs that change one rule must be layered one on the other, or which change holds
    /// would depend on the order the packs are given in.
    fn check_conflicts(&mut self, changes: &[Change<'a>]) -> bool {
        let mut by_rule: IndexMap<&str, Vec<&Change<'a>>> = IndexMap::new();
        for change in changes {
            by_rule
                .entry(change.id.text.as_str())
                .or_default()
                .push(change);
        }
        let mut ok = true;
        let pairs = by_rule.values().flat_map(|group| {
            group
                .iter()
                .enumerate()
                .flat_map(move |(j, change)| group[..j].iter().map(move |other| (*change, *other)))
        });
        for (change, other) in pairs {
            self.file = change.file;
            if other.pack == change.pack {
                let at = self.describe_loc(Loc {
                    file: other.file,
                    span: other.id.span,
                });
                let id = &change.id.text;
                let here = self.pack_name(change.pack);
                let (problem, help) = match (other.kind, change.kind) {
                    (ChangeKind::Override, ChangeKind::Action { to, .. }) => (
                        format!("pack `{here}` overrides rule `{id}` and changes its action too"),
                        format!(
                            "the override is in {at}; write `{}` in it instead of a `change rule`",
                            to.text
                        ),
                    ),
                    (ChangeKind::Disable { .. }, ChangeKind::Action { .. }) => (
                        format!("pack `{here}` disables rule `{id}` and changes its action too"),
                        format!(
                            "the disable is in {at}; a rule out of force has no action to \
                             change, so remove one of them"
                        ),
                    ),
                    (ChangeKind::Action { .. }, ChangeKind::Override) => (
                        format!(
                            "pack `{here}` changes the action of rule `{id}` and overrides it too"
                        ),
                        format!(
                            "the change is in {at}; write the action in the override and \
                             remove the `change rule`"
                        ),
                    ),
                    (ChangeKind::Action { .. }, ChangeKind::Disable { .. }) => (
                        format!(
                            "pack `{here}` changes the action of rule `{id}` and disables it too"
                        ),
                        format!(
                            "the change is in {at}; a rule out of force has no action to \
                             change, so remove one of them"
                        ),
                    ),
                    (ChangeKind::Action { .. }, ChangeKind::Action { .. }) => (
                        format!("pack `{here}` changes the action of rule `{id}` twice"),
                        format!("a pack changes a rule once; the first change is in {at}"),
                    ),
                    _ => {
                        let first =
                            format!("a pack changes a rule once; the first change is in {at}");
                        self.duplicate("change of rule", id, change.id.span, first);
                        ok = false;
                        continue;
                    }
                };
                self.error(Layering {
                    problem,
                    span: change.id.span.into(),
                    label: format!("the rule to {} again", change.verb()),
                    help,
                });
                ok = false;
            } else if !self.is_below(other.pack, change.pack) {
                let (first, second) = (self.pack_name(other.pack), self.pack_name(change.pack));
                let help = format!(
                    "`{first}` changes it in {}; layer one pack on the other (`extends \
                     \"{first}\"` in the manifest of `{second}`), or leave the rule to one \
                     of them",
                    self.describe_loc(Loc {
                        file: other.file,
                        span: other.id.span,
                    })
                );
                self.error(ConflictingPacks {
                    first,
                    second,
                    rule: change.id.text.clone(),
                    span: change.id.span.into(),
                    help,
                });
                ok = false;
            }
        }
        ok
    }
}

impl Change<'_> {
    fn verb(&self) -> &'static str {
        match self.kind {
            ChangeKind::Override => "override",
            ChangeKind::Disable { .. } => "disable",
            ChangeKind::Action { .. } => "change",
        }
    }
}

/// The actions of a rule a `change rule … to …` changes: its `deny`, `review` and `info`; a pair
/// edit's or a table's edits' deny.
fn verdicts(kind: &RuleKind) -> Vec<ActionKind> {
    match kind {
        RuleKind::Derive => Vec::new(),
        RuleKind::Check(c) => c
            .actions
            .iter()
            .map(|a| a.kind)
            .filter(|k| k.verdict_word().is_some())
            .collect(),
        RuleKind::Pairs(_) | RuleKind::TableEdits(_) => vec![ActionKind::Deny],
    }
}

/// A window that holds no date.
const NEVER: DateWindow = DateWindow {
    from: Some(chrono::NaiveDate::MAX),
    until: Some(chrono::NaiveDate::MIN),
};
