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
use super::offline::{Offline, offline};
use super::tri::Tri;
use crate::model::{EngineMode, ObjKind, PolicyBinding, PolicyKind, StageKind, Subject};

/// Who a binding is evaluated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Person {
    /// authentik's AnonymousUser: nobody is logged in or identified.
    Anonymous,
    User(Uuid),
    /// The new user a user write stage (this stage id) created: a member of the stage's
    /// `create_users_group` only, and nobody a user binding names.
    Created(Uuid),
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

/// Whether a policy type needs a live request (and so an assumption) for a logged-in user.
pub fn needs_live_data(kind: &PolicyKind) -> bool {
    offline(kind, Person::User(Uuid::nil())) == Offline::Live
}

pub struct Engine<'i, 'a> {
    index: &'i Index<'a>,
    /// Assumed results of policies that cannot be computed offline, by policy id.
    assumptions: &'i HashMap<Uuid, bool>,
    groups: RefCell<HashMap<Uuid, Rc<HashSet<Uuid>>>>,
    /// Assumed policies that were evaluated where the assumption cannot apply (they raised).
    ignored: RefCell<HashSet<Uuid>>,
}

impl<'i, 'a> Engine<'i, 'a> {
    pub fn new(index: &'i Index<'a>, assumptions: &'i HashMap<Uuid, bool>) -> Engine<'i, 'a> {
        Engine {
            index,
            assumptions,
            groups: RefCell::new(HashMap::new()),
            ignored: RefCell::new(HashSet::new()),
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
            Person::Created(stage) => format!(
                "the user created by '{}'",
                self.index.doc.label_of(ObjKind::Stage, stage)
            ),
        }
    }

    /// Assumed policies whose assumption some evaluation could not use.
    pub fn ignored_assumptions(&self) -> HashSet<Uuid> {
        self.ignored.borrow().clone()
    }

    /// The groups (with ancestors) of a user or of a user a user write stage creates.
    fn groups_of(&self, person: Person) -> Rc<HashSet<Uuid>> {
        match person {
            Person::Anonymous => Rc::new(HashSet::new()),
            Person::User(user) => self.all_groups(user),
            Person::Created(stage) => {
                let group = match self.index.doc.stages.get(stage).map(|s| &s.kind) {
                    Some(StageKind::UserWrite(w)) => w.create_users_group,
                    _ => None,
                };
                Rc::new(group.map_or_else(HashSet::new, |g| self.index.group_ancestry(g)))
            }
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
                    let (result, reason) = self.policy(binding, policy, person);
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
        if person == Person::Anonymous {
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
                let member = self.groups_of(person).contains(&group);
                let fact = if member {
                    format!("{name} is a member")
                } else {
                    format!("{name} is not a member")
                };
                (member, fact)
            }
            Subject::User(expected) => {
                let same = person == Person::User(expected);
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

    /// One policy binding, as authentik's `PolicyProcess` runs it
    /// (authentik/policies/process.py `PolicyProcess.execute` and `run`): `negate` applies to a
    /// returned result; a raise (other than PolicyException, which no offline case produces)
    /// is caught by `run` and fails the binding, ignoring `negate` and `failure_result`.
    fn policy(&self, binding: &PolicyBinding, policy: Uuid, person: Person) -> (Tri, String) {
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
        let negated = |t: Tri| if binding.negate { t.negate() } else { t };
        let assumed = self.assumptions.get(&policy);
        let result = match offline(&p.kind, person) {
            Offline::Returns(result, why) => {
                notes.push(why.into());
                negated(Tri::from_bool(result))
            }
            Offline::Raises(why) => {
                if assumed.is_some() {
                    self.ignored.borrow_mut().insert(policy);
                }
                notes.push(format!("{why}, so the binding fails whatever negate says"));
                Tri::Fail
            }
            Offline::RaisesOrReturns(result, why) => {
                notes.push(why.into());
                Tri::either(Tri::Fail, negated(Tri::from_bool(result)))
            }
            Offline::Live => match assumed {
                Some(assumed) => {
                    notes.push(format!(
                        "assumed {}",
                        if *assumed { "pass" } else { "fail" }
                    ));
                    negated(Tri::from_bool(*assumed))
                }
                None => Tri::Unknown,
            },
        };
        if binding.negate {
            notes.push("negated".into());
        }
        let head = format!("policy '{}' ({})", p.name, notes.join(", "));
        let text = match result {
            Tri::Unknown if matches!(offline(&p.kind, person), Offline::RaisesOrReturns(..)) => {
                format!("{head}: passes or fails, depending on the random wait")
            }
            Tri::Unknown => format!("{head}: unknown offline; assume pass or fail to decide it"),
            known => format!("{head}: {}", known.word()),
        };
        (result, text)
    }
}
