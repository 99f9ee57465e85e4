//! The importer's lookups go through indexes kept up to date as the blueprint's own entries
//! change the store: each answer must be the one a walk of the store, in store order, gives.

mod common;

use bindery::blueprint::Outcome;
use bindery::model::{
    Designation, Document, Flow, Group, Policy, PolicyBinding, PolicyKind, Stage, StageBinding,
    StageKind, Subject, Target, User,
};
use common::blueprints::*;

#[test]
fn entries_find_what_earlier_entries_of_the_same_blueprint_left() {
    let mut doc = Document::default();
    // Two flows with the same name: the first in store order is the one found.
    let first = Flow::new("a", "Same", Designation::Authentication);
    let second = Flow::new("b", "Same", Designation::Authentication);
    let stage = Stage::new(
        "s",
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    );
    let bound = StageBinding::new(first.id, stage.id, 10);
    let policy = Policy::new(
        "p",
        PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap(),
    );
    let group = Group::new("g");
    let mut user = User::new("u");
    user.pk = Some(42);
    let by_user = PolicyBinding::new(Target::Flow(second.id), Subject::User(user.id), 0);
    for f in [&first, &second] {
        doc.flows.put(f.clone());
    }
    doc.stages.put(stage.clone());
    doc.stage_bindings.put(bound.clone());
    doc.policies.put(policy.clone());
    doc.groups.put(group.clone());
    doc.users.put(user.clone());
    doc.policy_bindings.put(by_user.clone());
    let upper = first.id.to_string().to_uppercase();
    let text = format!(
        "version: 1
entries:
- model: authentik_flows.flow
  identifiers: {{name: Same}}
  attrs: {{title: first hit}}
- model: authentik_flows.flow
  identifiers: {{slug: a}}
  attrs: {{name: Renamed}}
- model: authentik_flows.flow
  identifiers: {{name: Same}}
  attrs: {{title: second hit}}
- model: authentik_flows.flow
  state: absent
  identifiers: {{slug: b}}
- model: authentik_flows.flow
  id: new
  identifiers: {{name: Same}}
  attrs: {{slug: c, title: new, designation: authentication}}
- model: authentik_flows.flowstagebinding
  identifiers: {{target: {upper}, stage: {stage}, order: 10}}
  attrs: {{evaluate_on_plan: true}}
- model: authentik_flows.flowstagebinding
  identifiers:
    target: !Find [authentik_flows.flow, [name, Same]]
    stage: {stage}
    order: 10
- model: authentik_core.user
  identifiers: {{pk: 42}}
  attrs: {{name: by pk}}
- model: authentik_policies.policybinding
  identifiers:
    target: !KeyOf new
    user: 42
    order: 0
- model: authentik_policies.policybinding
  identifiers:
    target: !KeyOf new
    user: 42
    order: 0
  attrs: {{enabled: false}}
",
        stage = stage.id
    );
    let report = import_ok(&mut doc, &text);
    let o = &report.outcomes;
    assert_eq!(o[0], Outcome::Updated("flow 'a'".into()), "{o:?}");
    assert_eq!(o[1], Outcome::Updated("flow 'a'".into()));
    // The first flow was renamed by the entry before: the name now finds the second.
    assert_eq!(o[2], Outcome::Updated("flow 'b'".into()));
    assert!(matches!(o[3], Outcome::Deleted(_)), "{:?}", o[3]);
    // Both flows of that name are gone (renamed, deleted): a new one.
    assert_eq!(o[4], Outcome::Created("flow 'c'".into()));
    // A UUID in upper case names the binding that exists.
    assert!(matches!(o[5], Outcome::Updated(_)), "{:?}", o[5]);
    assert!(doc.stage_bindings.get(bound.id).unwrap().evaluate_on_plan);
    // `!Find` sees the flow created by an earlier entry: a binding to it is new.
    assert!(matches!(o[6], Outcome::Created(_)), "{:?}", o[6]);
    // A user by its integer pk.
    assert!(matches!(o[7], Outcome::Updated(_)), "{:?}", o[7]);
    assert_eq!(doc.users.get(user.id).unwrap().name, "by pk");
    // The binding the entry before created is found by its identifiers.
    assert!(matches!(o[8], Outcome::Created(_)), "{:?}", o[8]);
    assert!(matches!(o[9], Outcome::Updated(_)), "{:?}", o[9]);
    assert_eq!(doc.flows.len(), 2);
    assert_eq!(doc.stage_bindings.len(), 2);
    // The second flow went with its user binding; the new flow has one, disabled.
    assert_eq!(doc.policy_bindings.len(), 1);
    assert!(!doc.policy_bindings.iter().next().unwrap().enabled);
}

#[test]
fn a_group_keeps_the_members_earlier_entries_gave_it() {
    let mut doc = Document::default();
    let group = Group::new("g");
    let mut a = User::new("a");
    a.groups.push(group.id);
    let b = User::new("b");
    let c = User::new("c");
    doc.groups.put(group.clone());
    for u in [&a, &b, &c] {
        doc.users.put(u.clone());
    }
    // b joins and a leaves before the group itself is updated: the group's entry, which
    // does not name its users, must keep exactly the members the store has at that point.
    let text = format!(
        "version: 1
entries:
- model: authentik_core.user
  identifiers: {{username: b}}
  attrs: {{groups: [{g}]}}
- model: authentik_core.user
  identifiers: {{username: a}}
  attrs: {{groups: []}}
- model: authentik_core.group
  identifiers: {{name: g}}
  attrs: {{is_superuser: true}}
- model: authentik_core.user
  identifiers: {{username: c}}
  attrs: {{groups: [{g}]}}
- model: authentik_core.group
  identifiers: {{name: g}}
  attrs: {{attributes: {{second: true}}}}
",
        g = group.id
    );
    import_ok(&mut doc, &text);
    let members = |doc: &Document| -> Vec<String> {
        doc.users
            .iter()
            .filter(|u| u.groups.contains(&group.id))
            .map(|u| u.username.clone())
            .collect()
    };
    assert_eq!(members(&doc), ["b", "c"]);
    assert!(doc.groups.get(group.id).unwrap().is_superuser);
}
