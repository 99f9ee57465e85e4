//! The whole store as one value, and [`Obj`], any one object in it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::OtherObject;
use super::{
    Entity, Flow, Group, ObjKind, Policy, PolicyBinding, Prompt, Ref, SCHEMA_VERSION, Stage,
    StageBinding, Table, User,
};

/// Everything bindery knows, as stored on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema_version: u32,
    /// Bumped by every save; with the hash of the bytes it detects concurrent writers.
    pub generation: u64,
    #[serde(default)]
    pub flows: Table<Flow>,
    #[serde(default)]
    pub stages: Table<Stage>,
    #[serde(default)]
    pub prompts: Table<Prompt>,
    #[serde(default)]
    pub stage_bindings: Table<StageBinding>,
    #[serde(default)]
    pub policies: Table<Policy>,
    #[serde(default)]
    pub policy_bindings: Table<PolicyBinding>,
    #[serde(default)]
    pub groups: Table<Group>,
    #[serde(default)]
    pub users: Table<User>,
    /// Objects of models bindery does not manage; absent from stores written before them.
    #[serde(default, skip_serializing_if = "Table::is_empty")]
    pub others: Table<OtherObject>,
    /// Saved operations, oldest first (schema version 2).
    #[serde(default)]
    pub log: Vec<LogEntry>,
}

/// One saved operation in the store's change log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// What `bindery log` shows and `bindery revert` takes: 1 for the first entry a store
    /// logged, one more for each after it, never reused (schema version 3; older entries are
    /// numbered when read).
    #[serde(default)]
    pub id: u64,
    /// When it was saved, UTC, RFC 3339.
    pub at: String,
    /// The operating-system user who saved it.
    pub user: String,
    pub operation: String,
    /// The objects it created, changed or removed.
    pub objects: Vec<String>,
    /// Each object as it was before and after the operation, for `bindery revert`; absent
    /// when the entry is too large or too old to keep them (see `store::REVERT_IMAGES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Image>>,
}

/// One object as an operation found and left it (None: it did not exist).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub kind: ObjKind,
    pub id: Uuid,
    /// Where it stood, or was put, in its table.
    pub index: usize,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            schema_version: SCHEMA_VERSION,
            generation: 0,
            flows: Table::default(),
            stages: Table::default(),
            prompts: Table::default(),
            stage_bindings: Table::default(),
            policies: Table::default(),
            policy_bindings: Table::default(),
            groups: Table::default(),
            users: Table::default(),
            others: Table::default(),
            log: Vec::new(),
        }
    }
}

/// One object of any kind, as edits and undo carry them.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    Flow(Flow),
    Stage(Stage),
    Prompt(Prompt),
    StageBinding(StageBinding),
    Policy(Policy),
    PolicyBinding(PolicyBinding),
    User(User),
    Group(Group),
    Other(OtherObject),
}

/// Runs `$body` with `$x` bound to the object inside any `Obj` variant.
macro_rules! with_obj {
    ($obj:expr, $x:ident => $body:expr) => {
        match $obj {
            Obj::Flow($x) => $body,
            Obj::Stage($x) => $body,
            Obj::Prompt($x) => $body,
            Obj::StageBinding($x) => $body,
            Obj::Policy($x) => $body,
            Obj::PolicyBinding($x) => $body,
            Obj::User($x) => $body,
            Obj::Group($x) => $body,
            Obj::Other($x) => $body,
        }
    };
}

/// Runs `$body` with `$t` bound to the table of `$kind` (`$doc.flows` and so on), wrapping
/// objects taken from it with `$wrap`.
macro_rules! with_table {
    ($doc:expr, $kind:expr, |$t:ident, $wrap:ident| $body:expr) => {
        match $kind {
            ObjKind::Flow => {
                let $t = &$doc.flows;
                let $wrap = Obj::Flow;
                $body
            }
            ObjKind::Stage => {
                let $t = &$doc.stages;
                let $wrap = Obj::Stage;
                $body
            }
            ObjKind::Prompt => {
                let $t = &$doc.prompts;
                let $wrap = Obj::Prompt;
                $body
            }
            ObjKind::StageBinding => {
                let $t = &$doc.stage_bindings;
                let $wrap = Obj::StageBinding;
                $body
            }
            ObjKind::Policy => {
                let $t = &$doc.policies;
                let $wrap = Obj::Policy;
                $body
            }
            ObjKind::PolicyBinding => {
                let $t = &$doc.policy_bindings;
                let $wrap = Obj::PolicyBinding;
                $body
            }
            ObjKind::User => {
                let $t = &$doc.users;
                let $wrap = Obj::User;
                $body
            }
            ObjKind::Group => {
                let $t = &$doc.groups;
                let $wrap = Obj::Group;
                $body
            }
            ObjKind::Other => {
                let $t = &$doc.others;
                let $wrap = Obj::Other;
                $body
            }
        }
    };
}

macro_rules! with_table_mut {
    ($doc:expr, $kind:expr, |$t:ident, $wrap:ident| $body:expr) => {
        match $kind {
            ObjKind::Flow => {
                let $t = &mut $doc.flows;
                let $wrap = Obj::Flow;
                $body
            }
            ObjKind::Stage => {
                let $t = &mut $doc.stages;
                let $wrap = Obj::Stage;
                $body
            }
            ObjKind::Prompt => {
                let $t = &mut $doc.prompts;
                let $wrap = Obj::Prompt;
                $body
            }
            ObjKind::StageBinding => {
                let $t = &mut $doc.stage_bindings;
                let $wrap = Obj::StageBinding;
                $body
            }
            ObjKind::Policy => {
                let $t = &mut $doc.policies;
                let $wrap = Obj::Policy;
                $body
            }
            ObjKind::PolicyBinding => {
                let $t = &mut $doc.policy_bindings;
                let $wrap = Obj::PolicyBinding;
                $body
            }
            ObjKind::User => {
                let $t = &mut $doc.users;
                let $wrap = Obj::User;
                $body
            }
            ObjKind::Group => {
                let $t = &mut $doc.groups;
                let $wrap = Obj::Group;
                $body
            }
            ObjKind::Other => {
                let $t = &mut $doc.others;
                let $wrap = Obj::Other;
                $body
            }
        }
    };
}

impl Obj {
    pub fn kind(&self) -> ObjKind {
        match self {
            Obj::Flow(_) => ObjKind::Flow,
            Obj::Stage(_) => ObjKind::Stage,
            Obj::Prompt(_) => ObjKind::Prompt,
            Obj::StageBinding(_) => ObjKind::StageBinding,
            Obj::Policy(_) => ObjKind::Policy,
            Obj::PolicyBinding(_) => ObjKind::PolicyBinding,
            Obj::User(_) => ObjKind::User,
            Obj::Group(_) => ObjKind::Group,
            Obj::Other(_) => ObjKind::Other,
        }
    }

    pub fn id(&self) -> Uuid {
        with_obj!(self, x => x.id())
    }

    pub fn label(&self) -> &str {
        with_obj!(self, x => x.label())
    }

    pub fn refs(&self) -> Vec<Ref> {
        let mut out = Vec::new();
        with_obj!(self, x => x.refs(&mut out));
        out
    }

    pub fn clear_ref(&mut self, id: Uuid) -> bool {
        with_obj!(self, x => x.clear_ref(id))
    }

    /// The object as the store file holds it.
    pub fn to_json(&self) -> serde_json::Value {
        with_obj!(self, x => serde_json::to_value(x).expect("a model serializes"))
    }

    /// An object of `kind` from the JSON [`Obj::to_json`] made.
    pub fn from_json(kind: ObjKind, value: serde_json::Value) -> Result<Obj, serde_json::Error> {
        use serde_json::from_value as read;
        Ok(match kind {
            ObjKind::Flow => Obj::Flow(read(value)?),
            ObjKind::Stage => Obj::Stage(read(value)?),
            ObjKind::Prompt => Obj::Prompt(read(value)?),
            ObjKind::StageBinding => Obj::StageBinding(read(value)?),
            ObjKind::Policy => Obj::Policy(read(value)?),
            ObjKind::PolicyBinding => Obj::PolicyBinding(read(value)?),
            ObjKind::User => Obj::User(read(value)?),
            ObjKind::Group => Obj::Group(read(value)?),
            ObjKind::Other => Obj::Other(read(value)?),
        })
    }
}

impl Document {
    pub fn get(&self, kind: ObjKind, id: Uuid) -> Option<Obj> {
        with_table!(self, kind, |t, wrap| t.get(id).cloned().map(wrap))
    }

    pub fn contains(&self, kind: ObjKind, id: Uuid) -> bool {
        with_table!(self, kind, |t, _wrap| t.contains(id))
    }

    pub fn index_of(&self, kind: ObjKind, id: Uuid) -> Option<usize> {
        with_table!(self, kind, |t, _wrap| t.index_of(id))
    }

    /// The label of an object, or its id when it does not exist.
    pub fn label_of(&self, kind: ObjKind, id: Uuid) -> String {
        with_table!(self, kind, |t, _wrap| t
            .get(id)
            .map(|x| x.label().to_string())
            .unwrap_or_else(|| id.to_string()))
    }

    /// Inserts or replaces an object; a new one goes at `index` (clamped).
    pub fn put_at(&mut self, index: usize, obj: Obj) {
        match obj {
            Obj::Flow(x) => self.flows.put_at(index, x),
            Obj::Stage(x) => self.stages.put_at(index, x),
            Obj::Prompt(x) => self.prompts.put_at(index, x),
            Obj::StageBinding(x) => self.stage_bindings.put_at(index, x),
            Obj::Policy(x) => self.policies.put_at(index, x),
            Obj::PolicyBinding(x) => self.policy_bindings.put_at(index, x),
            Obj::User(x) => self.users.put_at(index, x),
            Obj::Group(x) => self.groups.put_at(index, x),
            Obj::Other(x) => self.others.put_at(index, x),
        }
    }

    pub fn remove(&mut self, kind: ObjKind, id: Uuid) -> Option<(usize, Obj)> {
        with_table_mut!(self, kind, |t, wrap| t
            .remove(id)
            .map(|(i, x)| (i, wrap(x))))
    }

    /// Whether another object of `kind` than `except` has this label (slug, name, username).
    pub fn label_taken(&self, kind: ObjKind, label: &str, except: Uuid) -> bool {
        with_table!(self, kind, |t, _wrap| t
            .iter()
            .any(|x| x.id() != except && x.label() == label))
    }

    /// Whether the object `id` of `kind` exists and has this label.
    pub fn has_label(&self, kind: ObjKind, id: Uuid, label: &str) -> bool {
        with_table!(self, kind, |t, _wrap| t
            .get(id)
            .is_some_and(|x| x.label() == label))
    }

    /// The number of objects of a kind.
    /// The ids of `kind`'s objects, in store order.
    pub fn ids_of(&self, kind: ObjKind) -> Vec<Uuid> {
        with_table!(self, kind, |t, _wrap| t.iter().map(|x| x.id()).collect())
    }

    /// Whether object `id` of `kind` is the same in both documents (or in neither).
    pub fn same_object(&self, other: &Document, kind: ObjKind, id: Uuid) -> bool {
        match kind {
            ObjKind::Flow => self.flows.get(id) == other.flows.get(id),
            ObjKind::Stage => self.stages.get(id) == other.stages.get(id),
            ObjKind::Prompt => self.prompts.get(id) == other.prompts.get(id),
            ObjKind::StageBinding => self.stage_bindings.get(id) == other.stage_bindings.get(id),
            ObjKind::Policy => self.policies.get(id) == other.policies.get(id),
            ObjKind::PolicyBinding => self.policy_bindings.get(id) == other.policy_bindings.get(id),
            ObjKind::User => self.users.get(id) == other.users.get(id),
            ObjKind::Group => self.groups.get(id) == other.groups.get(id),
            ObjKind::Other => self.others.get(id) == other.others.get(id),
        }
    }

    pub fn count(&self, kind: ObjKind) -> usize {
        with_table!(self, kind, |t, _wrap| t.len())
    }

    /// Calls `f` with every object in the store, kind by kind in store order.
    pub fn for_each(&self, mut f: impl FnMut(ObjKind, usize, &dyn EntityView)) {
        for &kind in ObjKind::ALL {
            with_table!(self, kind, |t, _wrap| {
                for (index, x) in t.iter().enumerate() {
                    f(kind, index, x);
                }
            });
        }
    }

    /// Stage bindings of a flow in plan order: by `order`, ties in creation order.
    pub fn bindings_of_flow(&self, flow: Uuid) -> Vec<&StageBinding> {
        let mut out: Vec<&StageBinding> = self
            .stage_bindings
            .iter()
            .filter(|b| b.target == flow)
            .collect();
        out.sort_by_key(|b| b.order);
        out
    }

    /// Policy bindings of a target in evaluation order: by `order`, ties in creation order.
    pub fn policy_bindings_of(&self, target: Uuid) -> Vec<&PolicyBinding> {
        let mut out: Vec<&PolicyBinding> = self
            .policy_bindings
            .iter()
            .filter(|b| b.target.id() == target)
            .collect();
        out.sort_by_key(|b| b.order);
        out
    }

    /// The policy bindings of each of several targets, each in evaluation order: one walk over
    /// the table however many targets there are (a flow and its stage bindings, say), where
    /// [`Document::policy_bindings_of`] per target would walk it once for each.
    pub fn policy_bindings_of_each(
        &self,
        targets: impl IntoIterator<Item = Uuid>,
    ) -> std::collections::HashMap<Uuid, Vec<&PolicyBinding>> {
        let mut out: std::collections::HashMap<Uuid, Vec<&PolicyBinding>> =
            targets.into_iter().map(|t| (t, Vec::new())).collect();
        for b in self.policy_bindings.iter() {
            if let Some(list) = out.get_mut(&b.target.id()) {
                list.push(b);
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|b| b.order);
        }
        out
    }

    pub fn flow_by_slug(&self, slug: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.slug == slug)
    }
}

/// Read access to any object without knowing its type.
pub trait EntityView {
    fn view_id(&self) -> Uuid;
    fn view_label(&self) -> &str;
    fn view_refs(&self, out: &mut Vec<Ref>);
}

impl<T: Entity> EntityView for T {
    fn view_id(&self) -> Uuid {
        self.id()
    }
    fn view_label(&self) -> &str {
        self.label()
    }
    fn view_refs(&self, out: &mut Vec<Ref>) {
        self.refs(out)
    }
}
