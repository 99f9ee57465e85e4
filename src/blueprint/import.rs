//! Applying blueprint files as authentik's importer does (`authentik/blueprints/v1/importer.py`):
//! entries in order, each looked up by its identifiers, then created, updated, left alone or
//! deleted according to its state. Models authentik has but bindery does not manage are kept
//! verbatim as other authentik objects ([`super::others`]); a model authentik does not have is
//! an error.
//! All files of one import apply through one edit batch: completely, or not at all.

use foldhash::{HashMap, HashMapExt};
use std::fmt;

use serde_json::{Map, Value, json};

use super::build::build_in;
use super::host::ImportOptions;
use super::lookup::Lookup;
use super::models::{self, kind_of, pk_of};
use super::others;
use super::serializers::entry_problem;
use super::tags::{Miss, Scope, TagBudget, TagError, resolve};
use super::yaml::{self, Mark, Node, NodeValue, flow_text};
use crate::edit::{Batch, Op};
use crate::model::check::object_problems;
use crate::model::typed::FieldProblem;
use crate::model::{Obj, ObjKind, other};

/// One blueprint file's name (for messages) and text.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Why an import failed: the file, the position, the entry, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    pub file: String,
    pub mark: Mark,
    /// 1-based entry number and model, when the error belongs to an entry.
    pub entry: Option<(usize, String)>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.mark.line, self.mark.col)?;
        if let Some((n, model)) = &self.entry {
            write!(f, "entry {n} ({model}): ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportError {}

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Created(String),
    Updated(String),
    Unchanged(String),
    /// `state: created` found the object already there and left it alone.
    Kept(String),
    /// `state: absent`: what was deleted, then everything that went with it.
    Deleted(Vec<String>),
    /// `state: absent` found nothing to delete.
    AlreadyAbsent,
    /// A condition was false: the entry as written, and its conditions with their values.
    ConditionFalse {
        model: String,
        identifiers: String,
        conditions: String,
        values: Value,
    },
}

#[derive(Debug, Default)]
pub struct FileReport {
    pub name: String,
    pub outcomes: Vec<Outcome>,
    pub warnings: Vec<String>,
}

impl FileReport {
    pub fn count(&self, wanted: fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|o| wanted(o)).count()
    }
}

/// The importer's default context, under the blueprint's own (`default_context()` upstream).
fn default_context() -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("goauthentik.io/enterprise/licensed".into(), json!(false));
    map.insert("goauthentik.io/rbac/models".into(), json!({}));
    map
}

const STATES: &[&str] = &["present", "created", "must_created", "absent"];
const ENTRY_KEYS: &[&str] = &[
    "model",
    "state",
    "identifiers",
    "attrs",
    "id",
    "conditions",
    "permissions",
];

/// Applies every file through `batch`; on an error the caller drops the batch and nothing
/// stays applied. `options` says what `!Env` and `!File` may read (the default: nothing).
pub fn import(
    batch: &mut Batch,
    sources: &[Source],
    options: &ImportOptions,
) -> Result<Vec<FileReport>, ImportError> {
    let budget = TagBudget::new(options.max_tag_output);
    let lookup = Lookup::new();
    batch.index();
    sources
        .iter()
        .map(|s| import_file(batch, s, options, &budget, &lookup))
        .collect()
}

struct FileImport<'s> {
    file: &'s str,
    options: &'s ImportOptions,
    budget: &'s TagBudget,
    lookup: &'s Lookup,
    context: Map<String, Value>,
    ids: HashMap<String, Value>,
    /// pk written in the file → pk of the object it became, for raw-pk references.
    remap: HashMap<String, Value>,
    /// The `!Find`s of the current entry that found nothing.
    misses: Vec<Miss>,
    report: FileReport,
}

fn import_file(
    batch: &mut Batch,
    source: &Source,
    options: &ImportOptions,
    budget: &TagBudget,
    lookup: &Lookup,
) -> Result<FileReport, ImportError> {
    let file = source.name.as_str();
    let at = |mark: Mark, message: String| ImportError {
        file: file.to_string(),
        mark,
        entry: None,
        message,
    };
    let mut docs = yaml::parse(&source.text).map_err(|e| at(e.mark, e.message))?;
    let root = match docs.as_mut_slice() {
        [root] => root,
        [] => return Err(at(Mark { line: 1, col: 1 }, "the file is empty".into())),
        [_, second, ..] => {
            return Err(at(
                second.mark,
                "a blueprint is a single YAML document".into(),
            ));
        }
    };
    import_root(batch, file, root, options, budget, lookup)
}

/// Applies a blueprint already parsed (a pull builds its own), as [`import`] does a file.
pub fn import_node(
    batch: &mut Batch,
    name: &str,
    root: &mut Node,
    options: &ImportOptions,
) -> Result<FileReport, ImportError> {
    let budget = TagBudget::new(options.max_tag_output);
    let lookup = Lookup::new();
    batch.index();
    import_root(batch, name, root, options, &budget, &lookup)
}

fn import_root(
    batch: &mut Batch,
    file: &str,
    root: &mut Node,
    options: &ImportOptions,
    budget: &TagBudget,
    lookup: &Lookup,
) -> Result<FileReport, ImportError> {
    let at = |mark: Mark, message: String| ImportError {
        file: file.to_string(),
        mark,
        entry: None,
        message,
    };
    if !matches!(root.value, NodeValue::Map(_)) {
        return Err(at(
            root.mark,
            "a blueprint is a mapping with version, metadata and entries".into(),
        ));
    }
    match root.get("version") {
        Some(Node {
            value: NodeValue::Int(1),
            ..
        }) => {}
        Some(other) => return Err(at(other.mark, "version must be 1".into())),
        None => return Err(at(root.mark, "version is missing (it must be 1)".into())),
    }
    if let Some(meta) = root.get("metadata")
        && meta.get("name").is_none()
    {
        return Err(at(meta.mark, "metadata needs a name".into()));
    }

    let mut state = FileImport {
        file,
        options,
        budget,
        lookup,
        context: default_context(),
        ids: HashMap::new(),
        remap: HashMap::new(),
        misses: Vec::new(),
        report: FileReport {
            name: file.to_string(),
            ..FileReport::default()
        },
    };
    if let Some(context) = root.get("context") {
        let empty = HashMap::new();
        let defaults = state.context.clone();
        let mut scope = Scope {
            doc: batch.doc(),
            ids: &empty,
            context: &defaults,
            loops: Vec::new(),
            options,
            budget,
            lookup,
            misses: Vec::new(),
            notes: Vec::new(),
        };
        match resolve(context, &mut scope).map_err(|e| at(e.mark, e.message))? {
            Value::Object(map) => state.context.extend(map),
            Value::Null => {}
            _ => return Err(at(context.mark, "context must be a mapping".into())),
        }
    }

    // Taken out of the tree, so that each entry's nodes are freed once it is applied: the
    // tree and what the entries become are then never in memory whole at the same time.
    let root_mark = root.mark;
    let entries = root
        .get_mut("entries")
        .ok_or_else(|| at(root_mark, "entries is missing".into()))?;
    let list: Vec<Node> = match &mut entries.value {
        NodeValue::Seq(items) => std::mem::take(items),
        NodeValue::Map(sections) => {
            let mut all = Vec::new();
            for (name, section) in sections {
                match &mut section.value {
                    NodeValue::Seq(items) => all.append(items),
                    _ => {
                        return Err(at(
                            section.mark,
                            format!(
                                "entries section {:?} must be a list",
                                name.scalar_str().unwrap_or("?")
                            ),
                        ));
                    }
                }
            }
            all
        }
        NodeValue::Null => Vec::new(),
        _ => {
            return Err(at(
                entries.mark,
                "entries must be a list, or a mapping of sections to lists".into(),
            ));
        }
    };
    for (index, entry) in list.into_iter().enumerate() {
        state.entry(batch, index + 1, &entry)?;
    }
    Ok(state.report)
}

impl FileImport<'_> {
    fn error(
        &self,
        mark: Mark,
        entry: usize,
        model: &str,
        message: impl Into<String>,
    ) -> ImportError {
        ImportError {
            file: self.file.to_string(),
            mark,
            entry: Some((entry, model.to_string())),
            message: message.into(),
        }
    }

    /// Resolves a node's tags; what `!Find` missed and what the tags noted are kept for the
    /// entry being imported.
    fn resolve(&mut self, batch: &Batch, node: &Node) -> Result<Value, TagError> {
        let mut scope = self.scope(batch);
        let value = resolve(node, &mut scope);
        let (misses, notes) = (scope.misses, scope.notes);
        self.misses.extend(misses);
        for (mark, note) in notes {
            self.report
                .warnings
                .push(format!("{}:{}: {note}", mark.line, mark.col));
        }
        value.map(|v| self.remapped(v))
    }

    /// Resolves a node that [`Self::resolve`] has already resolved once for this entry, so
    /// its misses and notes are not told twice.
    fn resolve_again(&self, batch: &Batch, node: &Node) -> Result<Value, TagError> {
        resolve(node, &mut self.scope(batch)).map(|v| self.remapped(v))
    }

    fn scope<'b>(&'b self, batch: &'b Batch) -> Scope<'b> {
        Scope {
            doc: batch.doc(),
            ids: &self.ids,
            context: &self.context,
            loops: Vec::new(),
            options: self.options,
            budget: self.budget,
            lookup: self.lookup,
            misses: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Rewrites values equal to a pk the file gave an object that got another pk here.
    fn remapped(&self, value: Value) -> Value {
        if self.remap.is_empty() {
            return value;
        }
        match value {
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.remapped(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, self.remapped(v)))
                    .collect(),
            ),
            scalar => self
                .remap
                .get(&scalar.to_string())
                .cloned()
                .unwrap_or(scalar),
        }
    }

    fn entry(&mut self, batch: &mut Batch, n: usize, node: &Node) -> Result<(), ImportError> {
        let NodeValue::Map(pairs) = &node.value else {
            return Err(self.error(node.mark, n, "?", "an entry must be a mapping"));
        };
        for (key, _) in pairs {
            let name = key.scalar_str().unwrap_or("?");
            if !ENTRY_KEYS.contains(&name) {
                self.report
                    .warnings
                    .push(format!("entry {n}: unknown key {name:?} ignored"));
            }
        }
        let tag_error =
            |this: &Self, model: &str, e: TagError| this.error(e.mark, n, model, e.message);
        let model = match node.get("model") {
            None => return Err(self.error(node.mark, n, "?", "model is missing")),
            Some(m) => match self
                .resolve(batch, m)
                .map_err(|e| tag_error(self, "?", e))?
            {
                Value::String(model) => model,
                other => {
                    return Err(self.error(
                        m.mark,
                        n,
                        "?",
                        format!("model must be text, not {other}"),
                    ));
                }
            },
        };
        if !models::is_authentik_model(&model) {
            let hint = models::closest_model(&model)
                .map(|m| format!(" (did you mean {m}?)"))
                .unwrap_or_default();
            return Err(self.error(
                node.get("model").map_or(node.mark, |m| m.mark),
                n,
                &model,
                format!("authentik has no model {model:?}{hint}"),
            ));
        }
        let id = match node.get("id") {
            None => None,
            Some(i) => Some(
                i.scalar_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.error(i.mark, n, &model, "id must be text"))?,
            ),
        };
        let mut kept_conditions = None;
        if let Some(conditions) = node.get("conditions") {
            let values = match self
                .resolve(batch, conditions)
                .map_err(|e| tag_error(self, &model, e))?
            {
                Value::Array(values) => values,
                Value::Null => Vec::new(),
                _ => {
                    return Err(self.error(
                        conditions.mark,
                        n,
                        &model,
                        "conditions must be a list",
                    ));
                }
            };
            if !values.iter().all(super::python::truthy) {
                // As in authentik, a skipped entry has no object: a later !KeyOf to it fails.
                self.report.outcomes.push(Outcome::ConditionFalse {
                    model,
                    identifiers: node.get("identifiers").map_or("{}".into(), flow_text),
                    conditions: flow_text(conditions),
                    values: Value::Array(values),
                });
                return Ok(());
            }
            kept_conditions = Some(values);
        }
        // A `!Find` in a condition that finds nothing is how a condition says "not there".
        self.misses.clear();
        let wanted_state = match node.get("state") {
            None => "present".to_string(),
            Some(s) => match self
                .resolve(batch, s)
                .map_err(|e| tag_error(self, &model, e))?
            {
                Value::String(text) if STATES.contains(&text.as_str()) => text,
                other => return Err(self.error(
                    s.mark,
                    n,
                    &model,
                    format!(
                        "state must be one of present, created, must_created, absent; not {other}"
                    ),
                )),
            },
        };
        let identifiers = self.mapping(batch, node, "identifiers", n, &model)?;
        let attrs = self.mapping(batch, node, "attrs", n, &model)?;
        let missed = missed_fields(node, &std::mem::take(&mut self.misses));
        // An other authentik object keeps a query that found nothing as written (see
        // `model::other`); a field of bindery's own is left empty, as authentik's `None`.
        let kept_as_query = kind_of(&model).is_none();
        for miss in &missed {
            let then = if kept_as_query {
                "it is kept as written"
            } else {
                "so the field is empty (null)"
            };
            self.report.warnings.push(format!(
                "entry {n} ({model}): {}: {} found nothing, {then}",
                miss.path, miss.query
            ));
        }
        if let Some(p) = node.get("permissions")
            && !matches!(&p.value, NodeValue::Seq(items) if items.is_empty())
        {
            self.report.warnings.push(format!(
                "entry {n} ({model}): permissions are not modelled by bindery and were ignored"
            ));
        }

        // A policy binding whose target bindery does not manage (an application, a source, ...)
        // is kept verbatim with its target: bindery's own bindings only gate flows and stages.
        let kind = match kind_of(&model) {
            Some(ObjKind::PolicyBinding) => {
                let target = identifiers
                    .get("target")
                    .or(attrs.get("target"))
                    .unwrap_or(&Value::Null);
                if models::target_of(batch.doc(), target).is_some() {
                    ObjKind::PolicyBinding
                } else {
                    if target.is_null() {
                        self.report.warnings.push(format!(
                            "entry {n} ({model}): its target is null; kept as written, but authentik refuses a binding without a target"
                        ));
                    }
                    ObjKind::Other
                }
            }
            Some(kind) => kind,
            None => ObjKind::Other,
        };
        let identifiers_map = identifiers.as_object().cloned().unwrap_or_default();
        if identifiers_map.is_empty() && !(kind == ObjKind::Other && others::is_meta(&model)) {
            let mark = node.get("identifiers").map_or(node.mark, |i| i.mark);
            return Err(self.error(
                mark,
                n,
                &model,
                "identifiers are missing: they say which object the entry is",
            ));
        }
        let existing = match kind {
            ObjKind::Other if identifiers_map.is_empty() => {
                let attrs = attrs.as_object().cloned().unwrap_or_default();
                self.lookup
                    .find_meta(batch.doc(), &model, &attrs)
                    .map(Obj::Other)
            }
            // A policy binding kept as an other object is looked up among those.
            ObjKind::Other => self
                .lookup
                .find_other(batch.doc(), &model, &identifiers_map)
                .map(Obj::Other),
            _ => self.lookup.find(batch.doc(), &model, &identifiers_map),
        };
        let fail = |this: &Self, message: String| this.error(node.mark, n, &model, message);

        if wanted_state == "absent" {
            let outcome = match &existing {
                None => Outcome::AlreadyAbsent,
                Some(obj) => {
                    let delete = Op::Delete(obj.kind(), obj.id());
                    // Described before the delete, while the flows and stages that the
                    // cascaded bindings name are still there to name them.
                    let before = batch
                        .plan_unlabelled(&delete)
                        .map_err(|e| fail(self, e.to_string()))?
                        .removed()
                        .map(|o| batch.doc().describe(o))
                        .collect();
                    self.apply(batch, &delete)
                        .map_err(|e| fail(self, e.to_string()))?;
                    Outcome::Deleted(before)
                }
            };
            self.remember(id, Value::Null);
            self.report.outcomes.push(outcome);
            return Ok(());
        }
        if let Some(obj) = &existing {
            let described = batch.doc().describe(obj);
            if wanted_state == "must_created" {
                return Err(fail(
                    self,
                    format!("{described} already exists (state: must_created)"),
                ));
            }
            if wanted_state == "created" {
                self.note_pk(&identifiers_map, obj);
                self.remember(id, pk_of(obj));
                self.report.outcomes.push(Outcome::Kept(described));
                return Ok(());
            }
        }

        let (obj, built) = if kind == ObjKind::Other {
            let before = match &existing {
                Some(Obj::Other(o)) => Some(o),
                _ => None,
            };
            let entry = others::Entry {
                model: model.clone(),
                blueprint_id: id.clone(),
                state: wanted_state.clone(),
                conditions: kept_conditions,
                identifiers: self.stored_section(batch, node, "identifiers", n, &model)?,
                attrs: self.stored_section(batch, node, "attrs", n, &model)?,
            };
            let obj = Obj::Other(others::build(batch.doc(), before, entry));
            (obj, Default::default())
        } else {
            // authentik saves identifiers and attrs together, attrs winning.
            let mut data = identifiers_map.clone();
            if let Value::Object(attrs) = attrs {
                data.extend(attrs);
            }
            let at_field =
                |this: &Self, problem: FieldProblem| this.at_field(node, n, &model, problem);
            let (obj, built) = build_in(
                batch.doc(),
                self.lookup,
                kind,
                &model,
                existing.as_ref(),
                &data,
            )
            .map_err(|problem| match missed_at(&missed, &problem) {
                Some(miss) => self.error(miss.mark, n, &model, miss.explains(&problem)),
                None => at_field(self, problem),
            })?;
            if let Some(problem) = entry_problem(&model, &data) {
                return Err(at_field(self, problem));
            }
            (obj, built)
        };
        for field in &built.ignored {
            self.report.warnings.push(format!(
                "entry {n} ({model}): attribute {field:?} is not modelled by bindery and was ignored"
            ));
        }
        let outcome = match &existing {
            Some(before) if *before == obj => Outcome::Unchanged(batch.doc().describe(&obj)),
            Some(_) => {
                self.apply(batch, &Op::AsImported(Box::new(Op::Update(obj.clone()))))
                    .map_err(|e| self.refused(batch, node, n, &model, &obj, e.to_string()))?;
                Outcome::Updated(batch.doc().describe(&obj))
            }
            None => {
                self.apply(batch, &Op::AsImported(Box::new(Op::Create(obj.clone()))))
                    .map_err(|e| self.refused(batch, node, n, &model, &obj, e.to_string()))?;
                Outcome::Created(batch.doc().describe(&obj))
            }
        };
        if let (Some(members), Obj::Group(group)) = (&built.members, &obj) {
            self.set_members(batch, group.id, members)
                .map_err(|m| fail(self, m))?;
        }
        if let Obj::StageBinding(b) = &obj
            && !b.evaluate_on_plan
            && !b.re_evaluate_policies
        {
            self.report.warnings.push(format!(
                "entry {n} ({model}): both evaluate_on_plan and re_evaluate_policies are off; authentik's API refuses this, and the stage is then never gated"
            ));
        }
        self.note_pk(&identifiers_map, &obj);
        self.remember(id, pk_of(&obj));
        self.report.outcomes.push(outcome);
        Ok(())
    }

    /// Why applying `obj` was refused, at the attribute the model's rules (unique names,
    /// validators, references) blame. Asked only after a refusal: checking every entry first
    /// would repeat what applying checks, a table scan per entry for unique names.
    fn refused(
        &self,
        batch: &Batch,
        entry: &Node,
        n: usize,
        model: &str,
        obj: &Obj,
        message: String,
    ) -> ImportError {
        match object_problems(batch.doc(), obj).into_iter().next() {
            Some(problem) => self.at_field(
                entry,
                n,
                model,
                FieldProblem::new(problem.field, problem.message),
            ),
            None => self.error(entry.mark, n, model, message),
        }
    }

    /// An error about one attribute of entry `n`, at the node of its value: in `attrs` (which
    /// wins when both give it) or `identifiers`, following the path into nested maps and
    /// lists as far as the file spells them out (a tag's result is pointed at by its tag).
    /// A value the entry does not give (a default, or the existing object's) points at the
    /// entry.
    fn at_field(&self, entry: &Node, n: usize, model: &str, problem: FieldProblem) -> ImportError {
        if problem.path.is_empty() {
            return self.error(entry.mark, n, model, problem.message);
        }
        let steps = path_steps(&problem.path);
        for section in ["attrs", "identifiers"] {
            if let Some(found) = entry.get(section).and_then(|s| follow(s, &steps)) {
                return self.error(
                    found.mark,
                    n,
                    model,
                    format!("{section}.{}: {}", problem.path, problem.message),
                );
            }
        }
        self.error(entry.mark, n, model, problem.to_string())
    }

    fn mapping(
        &mut self,
        batch: &Batch,
        node: &Node,
        key: &str,
        n: usize,
        model: &str,
    ) -> Result<Value, ImportError> {
        let Some(value_node) = node.get(key) else {
            return Ok(Value::Object(Map::new()));
        };
        match self
            .resolve(batch, value_node)
            .map_err(|e| self.error(e.mark, n, model, e.message))?
        {
            Value::Null => Ok(Value::Object(Map::new())),
            value @ Value::Object(_) => Ok(value),
            other => Err(self.error(
                value_node.mark,
                n,
                model,
                format!("{key} must be a mapping, not {other}"),
            )),
        }
    }

    /// An entry's identifiers or attrs as an other authentik object stores them: references
    /// to objects of the store as references, and a `!Find` that finds nothing as its query,
    /// so that nothing the file said is lost. The `pk` identifier is the object's own.
    fn stored_section(
        &self,
        batch: &Batch,
        node: &Node,
        key: &str,
        n: usize,
        model: &str,
    ) -> Result<Map<String, Value>, ImportError> {
        let Some(section) = node.get(key) else {
            return Ok(Map::new());
        };
        let NodeValue::Map(pairs) = &section.value else {
            // A tag making the whole mapping, or null: resolved as it is.
            let is_ref = |text: &str| others::named_object(batch.doc(), text);
            let resolved = self
                .resolve_again(batch, section)
                .map_err(|e| self.error(e.mark, n, model, e.message))?;
            return Ok(resolved
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), other::encode(v.clone(), &is_ref)))
                .collect());
        };
        let mut out = Map::new();
        for (k, v) in pairs {
            let name = match self.resolve_again(batch, k) {
                Ok(Value::String(s)) => s,
                Ok(other) => super::python::py_str(&other),
                Err(e) => return Err(self.error(e.mark, n, model, e.message)),
            };
            let value = if key == "identifiers" && name == "pk" {
                self.resolve_again(batch, v)
            } else {
                self.stored(batch, v)
            };
            out.insert(
                name,
                value.map_err(|e| self.error(e.mark, n, model, e.message))?,
            );
        }
        Ok(out)
    }

    fn stored(&self, batch: &Batch, node: &Node) -> Result<Value, TagError> {
        let is_ref = |text: &str| others::named_object(batch.doc(), text);
        match (&node.tag, &node.value) {
            (Some(tag), NodeValue::Seq(parts)) if tag == "!Find" => {
                let found = self.resolve_again(batch, node)?;
                if !found.is_null() {
                    return Ok(other::encode(found, &is_ref));
                }
                let query = parts
                    .iter()
                    .map(|p| self.resolve_again(batch, p))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(other::encode_find(query))
            }
            (None, NodeValue::Seq(items)) => items
                .iter()
                .map(|item| self.stored(batch, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            (None, NodeValue::Map(pairs)) => {
                let mut map = Map::new();
                for (k, v) in pairs {
                    let name = match self.resolve_again(batch, k)? {
                        Value::String(s) => s,
                        other => super::python::py_str(&other),
                    };
                    map.insert(name, self.stored(batch, v)?);
                }
                Ok(other::literal_map(map))
            }
            _ => Ok(other::encode(self.resolve_again(batch, node)?, &is_ref)),
        }
    }

    /// Applies an operation, keeping the lookups' indexes up to date with it.
    fn apply(&self, batch: &mut Batch, op: &Op) -> Result<(), crate::edit::EditError> {
        batch.apply_noting(op, |doc, patch| self.lookup.note(doc, patch))
    }

    fn remember(&mut self, id: Option<String>, pk: Value) {
        if let Some(id) = id {
            self.ids.insert(id, pk);
        }
    }

    /// When the file named a pk that the object does not have here, later references to that
    /// pk are rewritten to the object's own (authentik's pk remapping).
    fn note_pk(&mut self, identifiers: &Map<String, Value>, obj: &Obj) {
        if let Some(pk) = identifiers.get("pk").filter(|pk| !pk.is_null()) {
            let actual = pk_of(obj);
            if *pk != actual {
                self.remap.insert(pk.to_string(), actual);
            }
        }
    }

    /// A group's `users` attribute sets exactly who its direct members are.
    fn set_members(
        &self,
        batch: &mut Batch,
        group: uuid::Uuid,
        members: &[uuid::Uuid],
    ) -> Result<(), String> {
        let doc = batch.doc();
        let wanted: std::collections::HashSet<uuid::Uuid> = members.iter().copied().collect();
        // Only the members now and the members wanted can change, in store order.
        let mut users = self.lookup.members(doc, group);
        users.extend(members.iter().copied());
        let mut users: Vec<(usize, &crate::model::User)> = users
            .into_iter()
            .filter_map(|id| Some((doc.users.index_of(id)?, doc.users.get(id)?)))
            .collect();
        users.sort_by_key(|(index, _)| *index);
        users.dedup_by_key(|(index, _)| *index);
        let changes: Vec<Op> = users
            .into_iter()
            .filter_map(
                |(_, u)| match (u.groups.contains(&group), wanted.contains(&u.id)) {
                    (false, true) => Some(Op::AddMember { user: u.id, group }),
                    (true, false) => Some(Op::RemoveMember { user: u.id, group }),
                    _ => None,
                },
            )
            .collect();
        for op in changes {
            self.apply(batch, &op).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// One step of a field path: a mapping key or a list index.
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `attributes.x[0]` as keys and indexes.
fn path_steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, indexes) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        for index in indexes.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                steps.push(Step::Index(i));
            }
        }
    }
    steps
}

/// The node at `steps` under `section`, or the deepest node on the way when the file stops
/// spelling the value out (a tag); None when the section does not give the first key.
fn follow<'n>(section: &'n Node, steps: &[Step<'_>]) -> Option<&'n Node> {
    let (Step::Key(first), rest) = steps.split_first()? else {
        return None;
    };
    let mut here = section.get(first)?;
    for step in rest {
        let next = match step {
            Step::Key(key) => here.get(key),
            Step::Index(i) => here.as_seq().and_then(|items| items.get(*i)),
        };
        match next {
            Some(node) => here = node,
            None => break,
        }
    }
    Some(here)
}

/// A field whose value holds a `!Find` that found nothing.
struct MissedField {
    /// `identifiers.stage`, `attrs.configure_flow`.
    path: String,
    query: String,
    mark: Mark,
}

/// The fields of an entry's identifiers and attrs that hold one of `misses`.
fn missed_fields(entry: &Node, misses: &[Miss]) -> Vec<MissedField> {
    if misses.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for section in ["identifiers", "attrs"] {
        let Some(pairs) = entry.get(section).and_then(Node::as_map) else {
            continue;
        };
        for (key, value) in pairs {
            if let Some(miss) = misses.iter().find(|m| holds_mark(value, m.mark)) {
                out.push(MissedField {
                    path: format!("{section}.{}", key.scalar_str().unwrap_or("?")),
                    query: miss.query.clone(),
                    mark: miss.mark,
                });
            }
        }
    }
    out
}

fn holds_mark(node: &Node, mark: Mark) -> bool {
    node.mark == mark
        || match &node.value {
            NodeValue::Seq(items) => items.iter().any(|i| holds_mark(i, mark)),
            NodeValue::Map(pairs) => pairs
                .iter()
                .any(|(k, v)| holds_mark(k, mark) || holds_mark(v, mark)),
            _ => false,
        }
}

/// The missed field a build problem is about, if it is one of them.
fn missed_at<'m>(missed: &'m [MissedField], problem: &FieldProblem) -> Option<&'m MissedField> {
    missed
        .iter()
        .find(|m| m.path.split_once('.').map(|(_, field)| field) == Some(problem.path.as_str()))
}

impl MissedField {
    /// The problem with the field, put down to the query that left it empty.
    fn explains(&self, problem: &FieldProblem) -> String {
        if problem.message == format!("{} is required", problem.path) {
            format!(
                "{}: {} found nothing, and the field is required",
                self.path, self.query
            )
        } else {
            format!(
                "{}: {} found nothing: {}",
                self.path, self.query, problem.message
            )
        }
    }
}
