//! The policy engine and the planner on small documents built in Rust, one test per rule of
//! authentik's `PolicyEngine` and `FlowPlanner` (docs/authentik-model.md §2 and §3) and of the
//! command-line contract's three-valued logic.

use std::collections::HashMap;

use bindery::engine::{
    self, DecidedAt, Engine, EngineResult, Index, Outcome, Person, Plan, Request, Tri,
};
use bindery::model::*;
use uuid::Uuid;

const DUMMY_STAGE: &str = "authentik_stages_dummy.dummystage";
const IDENTIFICATION: &str = "authentik_stages_identification.identificationstage";
const EXPRESSION: &str = "authentik_policies_expression.expressionpolicy";

/// Every policy type whose result needs a live request (for a real user: password expiry
/// raises for the anonymous user; an event matcher always fails in a flow, see
/// tests/plan_fidelity.rs).
const LIVE_POLICIES: &[&str] = &[
    "authentik_policies_expression.expressionpolicy",
    "authentik_policies_reputation.reputationpolicy",
    "authentik_policies_geoip.geoippolicy",
    "authentik_policies_password.passwordpolicy",
    "authentik_policies_expiry.passwordexpirypolicy",
    "authentik_policies_unique_password.uniquepasswordpolicy",
];

use EngineMode::{All, Any};
use Tri::{Fail, Pass, Unknown};

/// A document under construction, with the assumptions a plan would get from `--assume`.
#[derive(Default)]
struct World {
    doc: Document,
    assumed: HashMap<Uuid, bool>,
}

impl World {
    fn new() -> World {
        World::default()
    }

    fn group(&mut self, name: &str, parents: &[Uuid]) -> Uuid {
        let mut group = Group::new(name);
        group.parents = parents.to_vec();
        self.doc.groups.put(group)
    }

    fn superuser_group(&mut self, name: &str, parents: &[Uuid]) -> Uuid {
        let id = self.group(name, parents);
        self.doc.groups.get_mut(id).unwrap().is_superuser = true;
        id
    }

    fn user(&mut self, name: &str, groups: &[Uuid]) -> Uuid {
        let mut user = User::new(name);
        user.groups = groups.to_vec();
        self.doc.users.put(user)
    }

    fn flow(&mut self, slug: &str) -> Uuid {
        let flow = Flow::new(slug, slug, Designation::Authentication);
        self.doc.flows.put(flow)
    }

    fn flow_mut(&mut self, id: Uuid) -> &mut Flow {
        self.doc.flows.get_mut(id).unwrap()
    }

    /// A new stage of `model` named `name`, bound to `flow` at `order` with the defaults
    /// (evaluated just before it runs).
    fn bind_new(&mut self, flow: Uuid, name: &str, model: &str, order: i64) -> Uuid {
        let stage = Stage::new(name, StageKind::default_for(model).unwrap());
        let stage_id = stage.id;
        self.doc.stages.put(stage);
        let binding = StageBinding::new(flow, stage_id, order);
        self.doc.stage_bindings.put(binding)
    }

    fn bind(&mut self, flow: Uuid, name: &str, order: i64) -> Uuid {
        self.bind_new(flow, name, DUMMY_STAGE, order)
    }

    /// Sets a stage binding's evaluation flags.
    fn flags(&mut self, binding: Uuid, evaluate_on_plan: bool, re_evaluate_policies: bool) {
        let b = self.doc.stage_bindings.get_mut(binding).unwrap();
        b.evaluate_on_plan = evaluate_on_plan;
        b.re_evaluate_policies = re_evaluate_policies;
    }

    fn mode(&mut self, binding: Uuid, mode: EngineMode) {
        self.doc
            .stage_bindings
            .get_mut(binding)
            .unwrap()
            .policy_engine_mode = mode;
    }

    fn policy(&mut self, name: &str, model: &str) -> Uuid {
        let policy = Policy::new(name, PolicyKind::default_for(model).unwrap());
        self.doc.policies.put(policy)
    }

    fn dummy(&mut self, name: &str, result: bool) -> Uuid {
        let mut kind = PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap();
        if let PolicyKind::Dummy(d) = &mut kind {
            d.result = result;
        }
        let policy = Policy::new(name, kind);
        self.doc.policies.put(policy)
    }

    fn expression(&mut self, name: &str) -> Uuid {
        self.policy(name, EXPRESSION)
    }

    fn assume(&mut self, policy: Uuid, passes: bool) {
        self.assumed.insert(policy, passes);
    }

    /// Binds `subject` to a flow or stage binding, after the bindings already there.
    fn attach(&mut self, target: Target, subject: Subject) -> Uuid {
        let order = self
            .doc
            .policy_bindings
            .iter()
            .filter(|b| b.target == target)
            .count() as i64;
        let binding = PolicyBinding::new(target, subject, order);
        self.doc.policy_bindings.put(binding)
    }

    /// Binds `subject` to a stage binding.
    fn gate(&mut self, stage_binding: Uuid, subject: Subject) -> Uuid {
        self.attach(Target::StageBinding(stage_binding), subject)
    }

    fn gate_flow(&mut self, flow: Uuid, subject: Subject) -> Uuid {
        self.attach(Target::Flow(flow), subject)
    }

    fn pb(&mut self, id: Uuid) -> &mut PolicyBinding {
        self.doc.policy_bindings.get_mut(id).unwrap()
    }

    fn eval(&self, target: Uuid, mode: EngineMode, person: Person) -> EngineResult {
        let index = Index::build(&self.doc);
        let engine = Engine::new(&index, &self.assumed);
        engine.evaluate(target, mode, person)
    }

    fn plan(&self, flow: Uuid, request: Request) -> Plan {
        let index = Index::build(&self.doc);
        let engine = Engine::new(&index, &self.assumed);
        engine::plan(&engine, self.doc.flows.get(flow).unwrap(), request)
    }

    fn stage_name(&self, binding: Uuid) -> String {
        let b = self.doc.stage_bindings.get(binding).unwrap();
        self.doc.stages.get(b.stage).unwrap().name.clone()
    }

    /// Each planned stage as (name, outcome).
    fn outcomes(&self, plan: &Plan) -> Vec<(String, Outcome)> {
        plan.stages
            .iter()
            .map(|s| (self.stage_name(s.binding), s.outcome))
            .collect()
    }

    /// The outcome and decision time of one stage binding in a plan.
    fn fate(&self, plan: &Plan, binding: Uuid) -> (Outcome, Option<DecidedAt>) {
        let s = plan
            .stages
            .iter()
            .find(|s| s.binding == binding)
            .unwrap_or_else(|| panic!("{} is not in the plan", self.stage_name(binding)));
        (s.outcome, s.decided_at)
    }
}

fn user(id: Uuid) -> Person {
    Person::User(id)
}

fn req(user: Option<Uuid>, pending_user: Option<Uuid>, identify_as: Option<Uuid>) -> Request {
    Request {
        user,
        pending_user,
        identify_as,
    }
}

/// The verdict of one policy binding in a result.
fn verdict(result: &EngineResult, binding: Uuid) -> (Option<Tri>, String) {
    let v = result
        .verdicts
        .iter()
        .find(|v| v.binding == binding)
        .expect("binding has a verdict");
    (v.result, v.reason.clone())
}

// ---------------------------------------------------------------------------------------------
// The policy engine
// ---------------------------------------------------------------------------------------------

#[test]
fn no_bindings_pass_with_a_reason() {
    let mut w = World::new();
    let flow = w.flow("f");
    let sb = w.bind(flow, "s", 10);
    let alice = w.user("alice", &[]);
    for mode in [Any, All] {
        for person in [Person::Anonymous, user(alice)] {
            let r = w.eval(sb, mode, person);
            assert_eq!(r.result, Pass);
            assert!(r.verdicts.is_empty());
            assert_eq!(r.reasons(), vec!["no bindings: passes".to_string()]);
        }
    }
}

#[test]
fn only_enabled_bindings_count() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    let staff = w.group("staff", &[]);
    let alice = w.user("alice", &[]);

    // all: a disabled failing policy and a disabled group the user is not in do not count.
    let sb = w.bind(flow, "s", 10);
    let disabled = w.gate(sb, Subject::Policy(off));
    w.pb(disabled).enabled = false;
    let disabled_group = w.gate(sb, Subject::Group(staff));
    w.pb(disabled_group).enabled = false;
    w.gate(sb, Subject::Policy(on));
    let r = w.eval(sb, All, user(alice));
    assert_eq!(r.result, Pass, "{:?}", r.reasons());
    let (result, reason) = verdict(&r, disabled);
    assert_eq!(result, None);
    assert!(
        reason.contains("policy 'off'") && reason.contains("disabled"),
        "{reason}"
    );
    let (result, reason) = verdict(&r, disabled_group);
    assert_eq!(result, None);
    assert!(
        reason.contains("group 'staff'") && reason.contains("disabled"),
        "{reason}"
    );

    // any: a disabled passing policy does not rescue a failing one.
    let sb = w.bind(flow, "t", 20);
    let disabled = w.gate(sb, Subject::Policy(on));
    w.pb(disabled).enabled = false;
    w.gate(sb, Subject::Policy(off));
    assert_eq!(w.eval(sb, Any, user(alice)).result, Fail);
}

#[test]
fn all_bindings_disabled_pass() {
    let mut w = World::new();
    let flow = w.flow("f");
    let off = w.dummy("off", false);
    let staff = w.group("staff", &[]);
    let bob = w.user("bob", &[]);
    let sb = w.bind(flow, "s", 10);
    for subject in [
        Subject::Policy(off),
        Subject::Group(staff),
        Subject::User(bob),
    ] {
        let b = w.gate(sb, subject);
        w.pb(b).enabled = false;
    }
    let alice = w.user("alice", &[]);
    for mode in [Any, All] {
        for person in [Person::Anonymous, user(alice)] {
            let r = w.eval(sb, mode, person);
            assert_eq!(r.result, Pass);
            assert_eq!(r.verdicts.len(), 3);
            assert!(r.verdicts.iter().all(|v| v.result.is_none()));
            assert_eq!(r.summary, "no enabled bindings: passes");
        }
    }
}

#[test]
fn group_and_user_bindings_fold_into_one_result() {
    let mut w = World::new();
    let flow = w.flow("f");
    let editors = w.group("editors", &[]);
    let reviewers = w.group("reviewers", &[]);
    let dana = w.user("dana", &[editors]);
    let eve = w.user("eve", &[editors, reviewers]);
    let sb = w.bind(flow, "s", 10);
    w.gate(sb, Subject::Group(editors));
    w.gate(sb, Subject::Group(reviewers));
    w.gate(sb, Subject::User(eve));

    // any: one match is enough; all: every group/user binding must match.
    assert_eq!(w.eval(sb, Any, user(dana)).result, Pass);
    assert_eq!(w.eval(sb, All, user(dana)).result, Fail);
    assert_eq!(w.eval(sb, Any, user(eve)).result, Pass);
    assert_eq!(w.eval(sb, All, user(eve)).result, Pass);
    let outsider = w.user("outsider", &[]);
    assert_eq!(w.eval(sb, Any, user(outsider)).result, Fail);
}

#[test]
fn the_folded_result_combines_with_policies_under_the_same_mode() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    let editors = w.group("editors", &[]);
    let auditors = w.group("auditors", &[]);
    let dana = w.user("dana", &[editors]);

    let mut case = |subjects: &[Subject], mode: EngineMode, expected: Tri| {
        let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
        for s in subjects {
            w.gate(sb, *s);
        }
        let r = w.eval(sb, mode, user(dana));
        assert_eq!(
            r.result,
            expected,
            "{mode:?} {subjects:?}: {:?}",
            r.reasons()
        );
    };
    let hit = Subject::Group(editors);
    let miss = Subject::Group(auditors);
    // any: one passing binding of either kind passes.
    case(&[miss, Subject::Policy(on)], Any, Pass);
    case(&[hit, Subject::Policy(off)], Any, Pass);
    case(&[miss, miss, Subject::Policy(on)], Any, Pass);
    case(&[miss, Subject::Policy(off)], Any, Fail);
    // all: every group/user match and every policy pass.
    case(&[hit, Subject::Policy(on)], All, Pass);
    case(&[hit, Subject::Policy(off)], All, Fail);
    case(&[hit, miss, Subject::Policy(on)], All, Fail);
    case(
        &[hit, hit, Subject::Policy(on), Subject::Policy(on)],
        All,
        Pass,
    );
}

#[test]
fn negate_inverts_pass_and_fail_but_unknown_stays_unknown() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    let open = w.expression("open");
    let yes = w.expression("assumed-yes");
    let no = w.expression("assumed-no");
    w.assume(yes, true);
    w.assume(no, false);
    let staff = w.group("staff", &[]);
    let alice = w.user("alice", &[staff]);
    let bob = w.user("bob", &[]);

    let negated = |w: &mut World, subject: Subject, person: Person| {
        let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
        let b = w.gate(sb, subject);
        w.pb(b).negate = true;
        let r = w.eval(sb, Any, person);
        let (result, reason) = verdict(&r, b);
        assert_eq!(result, Some(r.result));
        assert!(
            reason.contains("(negated)") || reason.contains("negated)"),
            "{reason}"
        );
        r.result
    };
    assert_eq!(negated(&mut w, Subject::Policy(on), user(alice)), Fail);
    assert_eq!(negated(&mut w, Subject::Policy(off), user(alice)), Pass);
    assert_eq!(negated(&mut w, Subject::Policy(open), user(alice)), Unknown);
    assert_eq!(negated(&mut w, Subject::Policy(yes), user(alice)), Fail);
    assert_eq!(negated(&mut w, Subject::Policy(no), user(alice)), Pass);
    assert_eq!(negated(&mut w, Subject::Group(staff), user(alice)), Fail);
    assert_eq!(negated(&mut w, Subject::Group(staff), user(bob)), Pass);
    assert_eq!(negated(&mut w, Subject::User(alice), user(alice)), Fail);
    assert_eq!(negated(&mut w, Subject::User(alice), user(bob)), Pass);
}

#[test]
fn the_anonymous_user_fails_every_group_and_user_binding() {
    let mut w = World::new();
    let flow = w.flow("f");
    let staff = w.group("staff", &[]);
    let alice = w.user("alice", &[staff]);
    let on = w.dummy("on", true);
    for subject in [Subject::Group(staff), Subject::User(alice)] {
        for negate in [false, true] {
            let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
            let b = w.gate(sb, subject);
            w.pb(b).negate = negate;
            for mode in [Any, All] {
                let r = w.eval(sb, mode, Person::Anonymous);
                assert_eq!(r.result, Fail, "{subject:?} negate={negate} {mode:?}");
                let (result, reason) = verdict(&r, b);
                assert_eq!(result, Some(Fail));
                assert!(reason.contains("anonymous"), "{reason}");
            }
        }
    }
    // any: a passing policy still lets the anonymous user through; all: it does not.
    let sb = w.bind(flow, "mixed", 10);
    let negated = w.gate(sb, Subject::Group(staff));
    w.pb(negated).negate = true;
    w.gate(sb, Subject::Policy(on));
    assert_eq!(w.eval(sb, Any, Person::Anonymous).result, Pass);
    assert_eq!(w.eval(sb, All, Person::Anonymous).result, Fail);
}

#[test]
fn group_bindings_match_members_of_descendants_never_of_ancestors() {
    let mut w = World::new();
    let flow = w.flow("f");
    let root = w.group("root", &[]);
    let mid = w.group("mid", &[root]);
    let leaf = w.group("leaf", &[mid]);
    let side = w.group("side", &[]);
    let both = w.group("both", &[mid, side]);
    let lonely = w.group("lonely", &[]);
    let frank = w.user("frank", &[leaf]);
    let grace = w.user("grace", &[root]);
    let ivan = w.user("ivan", &[both]);

    let matches = |w: &mut World, group: Uuid, person: Uuid| {
        let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
        w.gate(sb, Subject::Group(group));
        w.eval(sb, Any, user(person)).result == Pass
    };
    for (person, name, yes, no) in [
        (
            frank,
            "frank",
            vec![root, mid, leaf],
            vec![side, both, lonely],
        ),
        (
            grace,
            "grace",
            vec![root],
            vec![mid, leaf, side, both, lonely],
        ),
        (
            ivan,
            "ivan",
            vec![both, mid, side, root],
            vec![leaf, lonely],
        ),
    ] {
        for g in yes {
            let gname = w.doc.groups.get(g).unwrap().name.clone();
            assert!(matches(&mut w, g, person), "{name} should match {gname}");
        }
        for g in no {
            let gname = w.doc.groups.get(g).unwrap().name.clone();
            assert!(
                !matches(&mut w, g, person),
                "{name} should not match {gname}"
            );
        }
    }
}

#[test]
fn group_cycles_terminate() {
    let mut w = World::new();
    let flow = w.flow("f");
    let a = w.group("ring-a", &[]);
    let b = w.group("ring-b", &[a]);
    w.doc.groups.get_mut(a).unwrap().parents.push(b);
    let selfish = w.group("selfish", &[]);
    w.doc.groups.get_mut(selfish).unwrap().parents.push(selfish);
    let below = w.group("below", &[a, selfish]);
    let judy = w.user("judy", &[a]);
    let leo = w.user("leo", &[below]);

    let index = Index::build(&w.doc);
    let judy_groups = index.all_groups(judy);
    assert_eq!(judy_groups.len(), 2);
    assert!(judy_groups.contains(&a) && judy_groups.contains(&b));
    let leo_groups = index.all_groups(leo);
    assert_eq!(leo_groups.len(), 4);
    for g in [below, a, b, selfish] {
        assert!(leo_groups.contains(&g));
    }

    let sb = w.bind(flow, "gate-b", 10);
    w.gate(sb, Subject::Group(b));
    assert_eq!(w.eval(sb, Any, user(judy)).result, Pass);
    assert_eq!(w.eval(sb, Any, user(leo)).result, Pass);
    let sb = w.bind(flow, "gate-below", 10);
    w.gate(sb, Subject::Group(below));
    assert_eq!(w.eval(sb, Any, user(judy)).result, Fail);
}

#[test]
fn superuser_through_any_group_or_an_ancestor_group() {
    let mut w = World::new();
    let top = w.group("top", &[]);
    let admins = w.superuser_group("admins", &[top]);
    let helpdesk = w.group("helpdesk", &[admins]);
    let other = w.group("other", &[]);
    let direct = w.user("direct", &[admins]);
    let child = w.user("child", &[other, helpdesk]);
    let parent = w.user("parent", &[top]);
    let plain = w.user("plain", &[other]);
    let index = Index::build(&w.doc);
    let assumed = HashMap::new();
    let engine = Engine::new(&index, &assumed);
    for (u, expected) in [
        (direct, true),
        (child, true),
        (parent, false),
        (plain, false),
    ] {
        assert_eq!(index.is_superuser(u), expected);
        assert_eq!(engine.is_superuser(u), expected);
    }
}

#[test]
fn dummy_policies_are_computed_exactly_and_ignore_assumptions() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    w.assume(on, false);
    w.assume(off, true);
    let alice = w.user("alice", &[]);
    for (policy, expected) in [(on, Pass), (off, Fail)] {
        let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
        let b = w.gate(sb, Subject::Policy(policy));
        for person in [Person::Anonymous, user(alice)] {
            let r = w.eval(sb, Any, person);
            assert_eq!(r.result, expected);
            let (_, reason) = verdict(&r, b);
            assert!(reason.contains("fixed result"), "{reason}");
            assert!(!reason.contains("assumed"), "{reason}");
        }
    }
}

#[test]
fn live_policies_are_unknown_unless_assumed() {
    let mut w = World::new();
    let flow = w.flow("f");
    let alice = w.user("alice", &[]);
    let mut models: Vec<&str> = LIVE_POLICIES.to_vec();
    // A policy type bindery does not model cannot be computed offline either.
    models.push("authentik_policies_future.futurepolicy");
    for model in models {
        let kind = PolicyKind::default_for(model).unwrap_or_else(|| PolicyKind::Other {
            model: model.into(),
            attrs: Default::default(),
        });
        let policy = Policy::new(&format!("p-{model}"), kind);
        let id = policy.id;
        w.doc.policies.put(policy);
        let sb = w.bind(flow, &format!("s-{model}"), 10);
        let b = w.gate(sb, Subject::Policy(id));

        w.assumed.clear();
        let r = w.eval(sb, Any, user(alice));
        assert_eq!(r.result, Unknown, "{model}");
        let (_, reason) = verdict(&r, b);
        assert!(
            reason.contains("unknown offline") && reason.contains("assume pass or fail"),
            "{reason}"
        );

        for (passes, expected, word) in
            [(true, Pass, "assumed pass"), (false, Fail, "assumed fail")]
        {
            w.assume(id, passes);
            let r = w.eval(sb, Any, user(alice));
            assert_eq!(r.result, expected, "{model} {word}");
            let (_, reason) = verdict(&r, b);
            assert!(reason.contains(word), "{reason}");
        }
    }
}

#[test]
fn failure_result_never_replaces_an_unknown_or_assumed_result() {
    let mut w = World::new();
    let flow = w.flow("f");
    let open = w.expression("open");
    let yes = w.expression("yes");
    let no = w.expression("no");
    w.assume(yes, true);
    w.assume(no, false);
    for (policy, negate, expected) in [
        (open, false, Unknown),
        (open, true, Unknown),
        (no, false, Fail),
        (yes, true, Fail),
        (yes, false, Pass),
        (no, true, Pass),
    ] {
        for failure_result in [true, false] {
            let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
            let b = w.gate(sb, Subject::Policy(policy));
            w.pb(b).negate = negate;
            w.pb(b).failure_result = failure_result;
            assert_eq!(
                w.eval(sb, Any, Person::Anonymous).result,
                expected,
                "negate={negate} failure_result={failure_result}"
            );
        }
    }
}

#[test]
fn unknowns_propagate_three_valued_through_any_and_all() {
    let mut w = World::new();
    let flow = w.flow("f");
    let open = w.expression("open");
    let open2 = w.expression("open-too");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    let staff = w.group("staff", &[]);
    let other = w.group("other", &[]);
    let alice = w.user("alice", &[staff]);
    let u = Subject::Policy(open);
    let p = Subject::Policy(on);
    let f = Subject::Policy(off);
    let hit = Subject::Group(staff);
    let miss = Subject::Group(other);
    for (subjects, mode, expected) in [
        (vec![u, f], Any, Unknown),
        (vec![u, p], Any, Pass),
        (vec![u, Subject::Policy(open2)], Any, Unknown),
        (vec![u, miss], Any, Unknown),
        (vec![u, hit], Any, Pass),
        (vec![u, p], All, Unknown),
        (vec![u, f], All, Fail),
        (vec![u, hit], All, Unknown),
        (vec![u, miss], All, Fail),
        (vec![u, hit, miss], All, Fail),
        (vec![u, hit, miss], Any, Pass),
    ] {
        let sb = w.bind(flow, &format!("s{}", w.doc.stages.len()), 10);
        for s in &subjects {
            w.gate(sb, *s);
        }
        let r = w.eval(sb, mode, user(alice));
        assert_eq!(r.result, expected, "{mode:?} {subjects:?}");
        assert!(r.summary.ends_with(r.result.word()), "{}", r.summary);
    }
}

#[test]
fn every_verdict_names_its_subject_and_why() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("always-on", true);
    let open = w.expression("is-internal");
    let assumed = w.expression("has-login");
    w.assume(assumed, false);
    let staff = w.group("staff", &[]);
    let contractors = w.group("contractors", &[]);
    let alice = w.user("alice", &[staff]);
    let bob = w.user("bob", &[]);
    let sb = w.bind(flow, "s", 10);
    // Created in reverse: verdicts come in `order`.
    let mut bindings = Vec::new();
    for (order, subject) in [
        (60, Subject::User(bob)),
        (50, Subject::Group(contractors)),
        (40, Subject::Group(staff)),
        (30, Subject::Policy(assumed)),
        (20, Subject::Policy(open)),
        (10, Subject::Policy(on)),
    ] {
        let b = PolicyBinding::new(Target::StageBinding(sb), subject, order);
        bindings.push(b.id);
        w.doc.policy_bindings.put(b);
    }
    let disabled = w.gate(sb, Subject::Policy(on));
    w.pb(disabled).order = 70;
    w.pb(disabled).enabled = false;
    w.pb(bindings[1]).negate = true;

    let r = w.eval(sb, All, user(alice));
    let order: Vec<Uuid> = r.verdicts.iter().map(|v| v.binding).collect();
    let mut expected: Vec<Uuid> = bindings.iter().rev().copied().collect();
    expected.push(disabled);
    assert_eq!(order, expected);

    let why = [
        (bindings[5], "policy 'always-on'", "fixed result"),
        (bindings[4], "policy 'is-internal'", "unknown offline"),
        (bindings[3], "policy 'has-login'", "assumed fail"),
        (bindings[2], "group 'staff'", "alice is a member"),
        (
            bindings[1],
            "group 'contractors' (negated)",
            "alice is not a member",
        ),
        (bindings[0], "user 'bob'", "the user is alice, not them"),
        (disabled, "policy 'always-on'", "disabled"),
    ];
    for (binding, subject, because) in why {
        let (result, reason) = verdict(&r, binding);
        assert!(
            reason.starts_with(subject),
            "{reason:?} should name {subject}"
        );
        assert!(
            reason.contains(because),
            "{reason:?} should say {because:?}"
        );
        if let Some(result) = result {
            assert!(
                reason.ends_with(result.word()) || result == Unknown,
                "{reason}"
            );
        }
    }
    assert_eq!(r.result, Fail);
    assert_eq!(r.summary, "all: every binding must pass; fails");
    assert_eq!(r.reasons().len(), 8);

    // The anonymous user's verdicts say why too.
    let r = w.eval(sb, Any, Person::Anonymous);
    let (_, reason) = verdict(&r, bindings[2]);
    assert!(
        reason.starts_with("group 'staff'") && reason.contains("anonymous"),
        "{reason}"
    );
}

// ---------------------------------------------------------------------------------------------
// The planner
// ---------------------------------------------------------------------------------------------

#[test]
fn the_requirement_looks_at_the_request_user_only() {
    use AuthenticationRequirement as R;
    let mut w = World::new();
    let flow = w.flow("f");
    w.bind(flow, "only", 10);
    w.flow_mut(flow).denied_action = DeniedAction::Continue;
    let top = w.group("top", &[]);
    let admins = w.superuser_group("admins", &[top]);
    let helpdesk = w.group("helpdesk", &[admins]);
    let root = w.user("root", &[helpdesk]);
    let manager = w.user("manager", &[top]);
    let nina = w.user("nina", &[]);

    let mut check = |auth: R, request: Request, expected: Tri| {
        w.flow_mut(flow).authentication = auth;
        let plan = w.plan(flow, request);
        assert_eq!(plan.applicable, expected, "{auth:?} {request:?}");
        match expected {
            Fail => {
                let (reason, action) = plan.denied.clone().expect("denied");
                assert_eq!(action, DeniedAction::Continue);
                assert!(reason.contains("requires"), "{reason}");
                assert!(plan.stages.is_empty());
            }
            _ => {
                assert_eq!(plan.denied, None);
                assert_eq!(plan.stages.len(), 1);
            }
        }
    };
    check(R::None, req(None, None, None), Pass);
    check(R::RequireAuthenticated, req(None, None, None), Fail);
    check(R::RequireAuthenticated, req(Some(nina), None, None), Pass);
    // A pending user alone is not a logged-in user.
    check(
        R::RequireAuthenticated,
        req(None, Some(nina), Some(nina)),
        Fail,
    );
    check(R::RequireUnauthenticated, req(None, None, None), Pass);
    check(R::RequireUnauthenticated, req(None, Some(nina), None), Pass);
    check(R::RequireUnauthenticated, req(Some(nina), None, None), Fail);
    // A superuser through a superuser group that is an ancestor of the user's group.
    check(R::RequireSuperuser, req(Some(root), None, None), Pass);
    check(R::RequireSuperuser, req(Some(manager), None, None), Fail);
    check(R::RequireSuperuser, req(None, None, None), Fail);
    check(R::RequireSuperuser, req(Some(nina), Some(root), None), Fail);
    // How the flow is reached is not known offline.
    check(R::RequireRedirect, req(None, None, None), Unknown);
    check(R::RequireOutpost, req(Some(root), None, None), Unknown);

    // An unknown requirement and failing flow bindings: denied.
    w.flow_mut(flow).authentication = R::RequireRedirect;
    w.gate_flow(flow, Subject::User(root));
    let plan = w.plan(flow, req(Some(nina), None, None));
    assert_eq!(plan.applicable, Fail);
    assert!(plan.stages.is_empty());
}

#[test]
fn flow_bindings_see_the_pending_user_else_the_request_user() {
    let mut w = World::new();
    let flow = w.flow("f");
    w.bind(flow, "only", 10);
    let vpn = w.group("vpn", &[]);
    let rita = w.user("rita", &[vpn]);
    let sam = w.user("sam", &[]);
    w.gate_flow(flow, Subject::Group(vpn));
    assert_eq!(w.plan(flow, req(Some(rita), None, None)).applicable, Pass);
    assert_eq!(w.plan(flow, req(Some(sam), None, None)).applicable, Fail);
    assert_eq!(
        w.plan(flow, req(Some(sam), Some(rita), None)).applicable,
        Pass
    );
    assert_eq!(
        w.plan(flow, req(Some(rita), Some(sam), None)).applicable,
        Fail
    );
    assert_eq!(w.plan(flow, req(None, None, None)).applicable, Fail);
    // --identify-as comes too late for the flow's own bindings.
    assert_eq!(w.plan(flow, req(None, None, Some(rita))).applicable, Fail);
}

#[test]
fn a_failing_flow_binding_denies_the_flow() {
    let mut w = World::new();
    let flow = w.flow("frozen");
    w.flow_mut(flow).denied_action = DeniedAction::Message;
    w.bind(flow, "never-shown", 10);
    let vpn = w.group("vpn", &[]);
    let sam = w.user("sam", &[]);
    w.gate_flow(flow, Subject::Group(vpn));
    let plan = w.plan(flow, req(Some(sam), None, None));
    assert_eq!(plan.applicable, Fail);
    assert!(plan.stages.is_empty());
    let (reason, action) = plan.denied.expect("denied");
    assert_eq!(action, DeniedAction::Message);
    assert!(reason.contains("sam"), "{reason}");
    assert!(reason.contains("group 'vpn'"), "{reason}");
    assert!(reason.contains("not a member"), "{reason}");
    assert_eq!(plan.flow_check.expect("flow check").result, Fail);
}

#[test]
fn an_unknown_flow_binding_depends_and_lists_the_stages() {
    let mut w = World::new();
    let flow = w.flow("office-only");
    let open = w.expression("is-internal");
    w.gate_flow(flow, Subject::Policy(open));
    let off = w.dummy("off", false);
    w.bind(flow, "welcome", 10);
    let skipped = w.bind(flow, "skipped", 20);
    w.gate(skipped, Subject::Policy(off));
    let plan = w.plan(flow, req(None, None, None));
    assert_eq!(plan.applicable, Unknown);
    assert_eq!(plan.denied, None);
    assert_eq!(
        w.outcomes(&plan),
        vec![
            ("welcome".to_string(), Outcome::Presented),
            ("skipped".to_string(), Outcome::Skipped)
        ]
    );
    w.assume(open, false);
    let plan = w.plan(flow, req(None, None, None));
    assert_eq!(plan.applicable, Fail);
    assert!(plan.stages.is_empty());
    w.assume(open, true);
    assert_eq!(w.plan(flow, req(None, None, None)).applicable, Pass);
}

#[test]
fn evaluate_on_plan_uses_the_plan_time_user() {
    let mut w = World::new();
    let flow = w.flow("sign-in");
    let mfa = w.group("mfa", &[]);
    let tom = w.user("tom", &[mfa]);
    let uma = w.user("uma", &[]);
    w.bind_new(flow, "identification", IDENTIFICATION, 10);
    let at_plan = w.bind(flow, "at-plan", 20);
    w.flags(at_plan, true, false);
    w.gate(at_plan, Subject::Group(mfa));

    let fate = |w: &World, request| w.fate(&w.plan(flow, request), at_plan);
    // Identification comes too late: the plan-time user is anonymous.
    assert_eq!(
        fate(&w, req(None, None, Some(tom))),
        (Outcome::Skipped, Some(DecidedAt::Plan))
    );
    assert_eq!(
        fate(&w, req(None, Some(tom), None)),
        (Outcome::Presented, Some(DecidedAt::Plan))
    );
    assert_eq!(
        fate(&w, req(Some(tom), None, None)),
        (Outcome::Presented, Some(DecidedAt::Plan))
    );
    // The pending user wins over the request user, and a later identification changes nothing.
    assert_eq!(
        fate(&w, req(Some(tom), Some(uma), None)),
        (Outcome::Skipped, Some(DecidedAt::Plan))
    );
    assert_eq!(
        fate(&w, req(None, Some(tom), Some(uma))),
        (Outcome::Presented, Some(DecidedAt::Plan))
    );
    let plan = w.plan(flow, req(None, Some(tom), None));
    let stage = plan.stages.iter().find(|s| s.binding == at_plan).unwrap();
    assert!(stage.run_check.is_none());
    assert_eq!(stage.plan_check.as_ref().unwrap().0, "tom");
}

#[test]
fn re_evaluation_uses_the_current_pending_user() {
    let mut w = World::new();
    let flow = w.flow("beta-login");
    let beta = w.group("beta", &[]);
    let victor = w.user("victor", &[beta]);
    let walt = w.user("walt", &[]);
    let before = w.bind(flow, "before", 5);
    w.gate(before, Subject::Group(beta));
    w.bind_new(flow, "identification", IDENTIFICATION, 10);
    let after = w.bind(flow, "after", 20);
    w.gate(after, Subject::Group(beta));

    let fates = |w: &World, request| {
        let plan = w.plan(flow, request);
        (w.fate(&plan, before).0, w.fate(&plan, after).0)
    };
    use Outcome::{Presented as P, Skipped as S};
    // Before identification: the pending user, else the request user; after it: the identified one.
    assert_eq!(fates(&w, req(None, None, Some(victor))), (S, P));
    assert_eq!(fates(&w, req(Some(victor), None, None)), (P, P));
    assert_eq!(fates(&w, req(Some(victor), None, Some(walt))), (P, S));
    assert_eq!(fates(&w, req(None, Some(victor), None)), (P, P));
    assert_eq!(fates(&w, req(Some(walt), Some(victor), None)), (P, P));
    assert_eq!(fates(&w, req(Some(victor), Some(walt), None)), (S, S));
    assert_eq!(fates(&w, req(None, Some(walt), Some(victor))), (S, P));

    let plan = w.plan(flow, req(None, None, Some(victor)));
    for (binding, who) in [(before, "nobody (anonymous)"), (after, "victor")] {
        let (outcome, decided) = w.fate(&plan, binding);
        assert_eq!(decided, Some(DecidedAt::Run), "{outcome:?}");
        let stage = plan.stages.iter().find(|s| s.binding == binding).unwrap();
        assert_eq!(stage.run_check.as_ref().unwrap().0, who);
        assert!(
            stage
                .reasons
                .iter()
                .all(|r| r.starts_with(&format!("when run, for {who}: "))),
            "{:?}",
            stage.reasons
        );
    }
}

#[test]
fn a_skipped_identification_identifies_nobody() {
    let mut w = World::new();
    let flow = w.flow("gated-login");
    let beta = w.group("beta", &[]);
    let victor = w.user("victor", &[beta]);
    let walt = w.user("walt", &[]);
    let off = w.dummy("identification-off", false);
    let ident = w.bind_new(flow, "identification", IDENTIFICATION, 10);
    w.gate(ident, Subject::Policy(off));
    let after = w.bind(flow, "beta-only", 20);
    w.gate(after, Subject::Group(beta));
    w.bind(flow, "finish", 30);

    let plan = w.plan(flow, req(None, None, Some(victor)));
    assert_eq!(
        w.outcomes(&plan),
        vec![
            ("identification".to_string(), Outcome::Skipped),
            ("beta-only".to_string(), Outcome::Skipped),
            ("finish".to_string(), Outcome::Presented),
        ]
    );
    // The pending user stays the one known before.
    let plan = w.plan(flow, req(None, Some(victor), Some(walt)));
    assert_eq!(w.fate(&plan, after).0, Outcome::Presented);
}

#[test]
fn an_identification_that_depends_makes_later_checks_depend_only_when_users_disagree() {
    let mut w = World::new();
    let flow = w.flow("login");
    let beta = w.group("beta", &[]);
    let victor = w.user("victor", &[beta]);
    let xena = w.user("xena", &[beta]);
    let walt = w.user("walt", &[]);
    let on = w.dummy("on", true);
    let maybe = w.expression("maybe");
    let ident = w.bind_new(flow, "identification", IDENTIFICATION, 10);
    w.gate(ident, Subject::Policy(maybe));
    let gated = w.bind(flow, "beta-only", 20);
    w.gate(gated, Subject::Group(beta));
    let fixed = w.bind(flow, "fixed", 30);
    w.gate(fixed, Subject::Policy(on));
    let open = w.bind(flow, "open", 40);
    let planned = w.bind(flow, "planned", 50);
    w.flags(planned, true, false);
    w.gate(planned, Subject::Group(beta));

    // Anonymous before, victor after: the group gate depends; everything else is decided.
    let plan = w.plan(flow, req(None, None, Some(victor)));
    assert_eq!(
        w.fate(&plan, ident),
        (Outcome::Depends, Some(DecidedAt::Run))
    );
    assert_eq!(
        w.fate(&plan, gated),
        (Outcome::Depends, Some(DecidedAt::Run))
    );
    assert_eq!(w.fate(&plan, fixed).0, Outcome::Presented);
    assert_eq!(w.fate(&plan, open).0, Outcome::Presented);
    assert_eq!(
        w.fate(&plan, planned),
        (Outcome::Skipped, Some(DecidedAt::Plan))
    );
    let stage = plan.stages.iter().find(|s| s.binding == gated).unwrap();
    let (who, check) = stage.run_check.as_ref().unwrap();
    assert_eq!(who, "nobody (anonymous) or victor");
    assert_eq!(check.result, Unknown);
    assert!(check.summary.contains("victor") && check.summary.contains("anonymous"));

    // Two different users who agree: decided.
    let plan = w.plan(flow, req(None, Some(xena), Some(victor)));
    assert_eq!(
        w.fate(&plan, gated),
        (Outcome::Presented, Some(DecidedAt::Run))
    );
    assert_eq!(w.fate(&plan, planned).0, Outcome::Presented);
    let plan = w.plan(flow, req(Some(walt), None, Some(walt)));
    assert_eq!(
        w.fate(&plan, gated),
        (Outcome::Skipped, Some(DecidedAt::Run))
    );
    let plan = w.plan(flow, req(None, None, Some(walt)));
    assert_eq!(
        w.fate(&plan, gated),
        (Outcome::Skipped, Some(DecidedAt::Run))
    );
    // The same user before and after: nothing to disagree about.
    let plan = w.plan(flow, req(None, Some(victor), Some(victor)));
    assert_eq!(
        w.fate(&plan, gated),
        (Outcome::Presented, Some(DecidedAt::Run))
    );

    // Once it is assumed, the identification is decided either way.
    w.assume(maybe, true);
    let plan = w.plan(flow, req(None, None, Some(victor)));
    assert_eq!(w.fate(&plan, gated).0, Outcome::Presented);
    w.assume(maybe, false);
    let plan = w.plan(flow, req(None, None, Some(victor)));
    assert_eq!(w.fate(&plan, gated).0, Outcome::Skipped);
}

#[test]
fn a_binding_with_both_flags_false_is_always_presented() {
    let mut w = World::new();
    let flow = w.flow("f");
    let off = w.dummy("off", false);
    let sb = w.bind(flow, "ungated", 10);
    w.flags(sb, false, false);
    w.gate(sb, Subject::Policy(off));
    let plan = w.plan(flow, req(None, None, None));
    let stage = &plan.stages[0];
    assert_eq!(stage.outcome, Outcome::Presented);
    assert_eq!(stage.decided_at, None);
    assert!(stage.plan_check.is_none() && stage.run_check.is_none());
    assert!(
        stage.reasons.iter().any(|r| r.contains("neither")),
        "{:?}",
        stage.reasons
    );
}

#[test]
fn the_plan_is_in_order_with_ties_in_creation_order() {
    let mut w = World::new();
    let flow = w.flow("f");
    let other = w.flow("other");
    for (name, order) in [("thirty", 30), ("ten-a", 10), ("twenty", 20), ("ten-b", 10)] {
        w.bind(flow, name, order);
    }
    w.bind(other, "elsewhere", 0);
    w.bind(flow, "minus-five", -5);
    w.bind(flow, "ten-c", 10);
    let plan = w.plan(flow, req(None, None, None));
    let names: Vec<String> = w.outcomes(&plan).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["minus-five", "ten-a", "ten-b", "ten-c", "twenty", "thirty"]
    );
    let empty = w.flow("empty");
    let plan = w.plan(empty, req(None, None, None));
    assert_eq!(plan.applicable, Pass);
    assert!(plan.stages.is_empty());
}

#[test]
fn decided_at_says_which_check_decided() {
    let mut w = World::new();
    let flow = w.flow("f");
    let on = w.dummy("on", true);
    let off = w.dummy("off", false);
    let open = w.expression("open");
    let cases = [
        // (evaluate_on_plan, re_evaluate_policies, subjects, outcome, decided_at, run checked)
        (
            true,
            true,
            vec![off],
            Outcome::Skipped,
            Some(DecidedAt::Plan),
            false,
        ),
        (
            true,
            true,
            vec![on],
            Outcome::Presented,
            Some(DecidedAt::Run),
            true,
        ),
        (
            true,
            false,
            vec![on],
            Outcome::Presented,
            Some(DecidedAt::Plan),
            false,
        ),
        (
            true,
            false,
            vec![off],
            Outcome::Skipped,
            Some(DecidedAt::Plan),
            false,
        ),
        (
            true,
            false,
            vec![open],
            Outcome::Depends,
            Some(DecidedAt::Plan),
            false,
        ),
        (
            false,
            true,
            vec![off],
            Outcome::Skipped,
            Some(DecidedAt::Run),
            true,
        ),
        (
            false,
            true,
            vec![],
            Outcome::Presented,
            Some(DecidedAt::Run),
            true,
        ),
        (false, false, vec![off], Outcome::Presented, None, false),
    ];
    let mut bindings = Vec::new();
    for (i, (plan_flag, run_flag, subjects, ..)) in cases.iter().enumerate() {
        let sb = w.bind(flow, &format!("case-{i}"), i as i64);
        w.flags(sb, *plan_flag, *run_flag);
        for p in subjects {
            w.gate(sb, Subject::Policy(*p));
        }
        bindings.push(sb);
    }
    let plan = w.plan(flow, req(None, None, None));
    for (i, (.., outcome, decided_at, run_checked)) in cases.iter().enumerate() {
        let stage = &plan.stages[i];
        assert_eq!(stage.binding, bindings[i]);
        assert_eq!(
            (stage.outcome, stage.decided_at),
            (*outcome, *decided_at),
            "case {i}"
        );
        assert_eq!(stage.run_check.is_some(), *run_checked, "case {i}");
    }

    // Both flags with an unknown plan-time check: the run-time check still runs and decides.
    let mfa = w.group("mfa", &[]);
    let tom = w.user("tom", &[mfa]);
    let uma = w.user("uma", &[]);
    let login = w.flow("login");
    w.bind_new(login, "identification", IDENTIFICATION, 10);
    let all_of = w.bind(login, "all-of", 20);
    let any_of = w.bind(login, "any-of", 30);
    for (sb, mode) in [(all_of, All), (any_of, Any)] {
        w.flags(sb, true, true);
        w.mode(sb, mode);
        w.gate(sb, Subject::Policy(open));
        w.gate(sb, Subject::Group(mfa));
    }
    // all: unknown for tom when planned, fails for uma when run.
    let plan = w.plan(login, req(None, Some(tom), Some(uma)));
    assert_eq!(
        w.fate(&plan, all_of),
        (Outcome::Skipped, Some(DecidedAt::Run))
    );
    let stage = plan.stages.iter().find(|s| s.binding == all_of).unwrap();
    assert_eq!(stage.plan_check.as_ref().unwrap().1.result, Unknown);
    assert_eq!(stage.run_check.as_ref().unwrap().1.result, Fail);
    assert!(
        stage
            .reasons
            .iter()
            .any(|r| r.starts_with("when planned, for tom: "))
    );
    assert!(
        stage
            .reasons
            .iter()
            .any(|r| r.starts_with("when run, for uma: "))
    );
    // any: unknown for nobody when planned, passes for tom when run: still depends.
    let plan = w.plan(login, req(None, None, Some(tom)));
    assert_eq!(
        w.fate(&plan, any_of),
        (Outcome::Depends, Some(DecidedAt::Run))
    );
    let stage = plan.stages.iter().find(|s| s.binding == any_of).unwrap();
    assert_eq!(stage.plan_check.as_ref().unwrap().1.result, Unknown);
    assert_eq!(stage.run_check.as_ref().unwrap().1.result, Pass);
}
