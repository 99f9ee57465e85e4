//! The policy engine, as authentik's `PolicyEngine` (`authentik/policies/engine.py`): every
//! enabled binding of a target is evaluated in `order`; group and user bindings fold into one
//! result, computed like authentik's SQL aggregate; policies are evaluated one by one with
//! `negate` applied to a result but never to `failure_result`; the target's mode combines them;
//! nothing bound passes. Policies that need live request data are unknown unless assumed.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde::Serialize;
use uuid::Uuid;

use super::index::Index;
use super::tri::Tri;
use crate::model::{EngineMode, ObjKind, PolicyBinding, PolicyKind, Subject};

/// Who a binding is evaluated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Person {
    /// authentik's AnonymousUser: nobody is logged in or identified.
    Anonymous,
    User(Uuid),
}

/// One binding's part in a result, with the reason in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub binding: Uuid,
    /// None for a disabled binding, which the engine ignores.
    pub result: Option<Tri>,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EngineResult {
    pub result: Tri,
    pub verdicts: Vec<Verdict>,
    /// How the verdicts combined, in words.
    pub summary: String,
}

impl EngineResult {
    /// The reasons as short sentences: the verdicts, then how they combined.
    pub fn reasons(&self) -> Vec<String> {
        let mut out: Vec<String> = self.verdicts.iter().map(|v| v.reason.clone()).collect();
        if !self.summary.is_empty() {
            out.push(self.summary.clone());
        }
        out
    }
}

/// Whether a policy type can be computed without a live request.
pub fn offline_result(kind: &PolicyKind) -> Option<bool> {
    match kind {
        PolicyKind::Dummy(d) => Some(d.result),
        _ => None,
    }
}

pub struct Engine<'i, 'a> {
    index: &'i Index<'a>,
    /// Assumed results of policies that cannot be computed offline, by policy id.
    assumptions: &'i HashMap<Uuid, bool>,
    groups: RefCell<HashMap<Uuid, Rc<HashSet<Uuid>>>>,
}

impl<'i, 'a> Engine<'i, 'a> {
    pub fn new(index: &'i Index<'a>, assumptions: &'i HashMap<Uuid, bool>) -> Engine<'i, 'a> {
        Engine {
            index,
            assumptions,
            groups: RefCell::new(HashMap::new()),
        }
    }

    pub fn index(&self) -> &Index<'a> {
        self.index
    }

    /// A user's groups and their ancestors, computed once per engine.
    pub fn all_groups(&self, user: Uuid) -> Rc<HashSet<Uuid>> {
        self.groups
            .borrow_mut()
            .entry(user)
            .or_insert_with(|| Rc::new(self.index.all_groups(user)))
            .clone()
    }

    pub fn is_superuser(&self, user: Uuid) -> bool {
        let doc = self.index.doc;
        self.all_groups(user)
            .iter()
            .any(|g| doc.groups.get(*g).is_some_and(|g| g.is_superuser))
    }

    pub fn name(&self, person: Person) -> String {
        match person {
            Person::Anonymous => "nobody (anonymous)".into(),
            Person::User(id) => self.index.doc.label_of(ObjKind::User, id),
        }
    }

    /// Evaluates the bindings of a flow or stage binding for `person`.
    pub fn evaluate(&self, target: Uuid, mode: EngineMode, person: Person) -> EngineResult {
        let bindings = self.index.policy_bindings_of(target);
        let mut verdicts = Vec::with_capacity(bindings.len());
        let mut results = Vec::new();
        let (mut static_total, mut static_passing) = (0usize, 0usize);
        for binding in bindings {
            if !binding.enabled {
                verdicts.push(Verdict {
                    binding: binding.id,
                    result: None,
                    reason: format!("{}: disabled, ignored", self.subject(binding)),
                });
                continue;
            }
            match binding.subject {
                Subject::Policy(policy) => {
                    let (result, reason) = self.policy(binding, policy);
                    results.push(result);
                    verdicts.push(Verdict {
                        binding: binding.id,
                        result: Some(result),
                        reason,
                    });
                }
                _ => {
                    static_total += 1;
                    let (matched, reason) = self.directory(binding, person);
                    static_passing += usize::from(matched);
                    verdicts.push(Verdict {
                        binding: binding.id,
                        result: Some(Tri::from_bool(matched)),
                        reason,
                    });
                }
            }
        }
        if static_total > 0 {
            results.push(Tri::from_bool(match mode {
                EngineMode::Any => static_passing > 0,
                EngineMode::All => static_passing == static_total,
            }));
        }
        if results.is_empty() {
            let summary = if bindings.is_empty() {
                "no bindings: passes"
            } else {
                "no enabled bindings: passes"
            };
            return EngineResult {
                result: Tri::Pass,
                verdicts,
                summary: summary.into(),
            };
        }
        let result = Tri::combine(mode, results.iter().copied());
        let enabled = verdicts.iter().filter(|v| v.result.is_some()).count();
        let summary = if enabled > 1 {
            let rule = match mode {
                EngineMode::Any => "any: one passing binding is enough",
                EngineMode::All => "all: every binding must pass",
            };
            format!("{rule}; {}", result.word())
        } else {
            String::new()
        };
        EngineResult {
            result,
            verdicts,
            summary,
        }
    }

    fn subject(&self, binding: &PolicyBinding) -> String {
        let what = self.index.doc.describe_subject(binding.subject);
        if binding.negate {
            format!("{what} (negated)")
        } else {
            what
        }
    }

    /// A group or user binding, as authentik's aggregate counts it: the anonymous user never
    /// counts as passing, negated or not.
    fn directory(&self, binding: &PolicyBinding, person: Person) -> (bool, String) {
        let subject = self.subject(binding);
        let Person::User(user) = person else {
            return (
                false,
                format!(
                    "{subject}: nobody is identified yet, and the anonymous user matches no group or user binding"
                ),
            );
        };
        let name = self.name(person);
        let (is, fact) = match binding.subject {
            Subject::Group(group) => {
                let member = self.all_groups(user).contains(&group);
                let fact = if member {
                    format!("{name} is a member")
                } else {
                    format!("{name} is not a member")
                };
                (member, fact)
            }
            Subject::User(expected) => {
                let same = expected == user;
                let fact = if same {
                    format!("the user is {name}")
                } else {
                    format!("the user is {name}, not them")
                };
                (same, fact)
            }
            Subject::Policy(_) => unreachable!("policy bindings are evaluated as policies"),
        };
        let matched = is != binding.negate;
        (
            matched,
            format!("{subject}: {fact}: {}", Tri::from_bool(matched).word()),
        )
    }

    fn policy(&self, binding: &PolicyBinding, policy: Uuid) -> (Tri, String) {
        let Some(p) = self.index.doc.policies.get(policy) else {
            return (
                Tri::Fail,
                format!(
                    "{}: the policy does not exist: fails",
                    self.subject(binding)
                ),
            );
        };
        let mut notes = vec![p.kind.short().to_string()];
        let raw = match (offline_result(&p.kind), self.assumptions.get(&policy)) {
            (Some(result), _) => {
                notes.push("fixed result".into());
                Tri::from_bool(result)
            }
            (None, Some(assumed)) => {
                notes.push(format!(
                    "assumed {}",
                    if *assumed { "pass" } else { "fail" }
                ));
                Tri::from_bool(*assumed)
            }
            (None, None) => Tri::Unknown,
        };
        if binding.negate {
            notes.push("negated".into());
        }
        let result = if binding.negate { raw.negate() } else { raw };
        let head = format!("policy '{}' ({})", p.name, notes.join(", "));
        let text = match result {
            Tri::Unknown => format!("{head}: unknown offline; assume pass or fail to decide it"),
            known => format!("{head}: {}", known.word()),
        };
        (result, text)
    }
}
