//! A generator of realistic large stores, for benchmarks: nested groups, stages shared between
//! flows, a mix of policy, group and user bindings, some unicode names. Deterministic: the same
//! sizes and seed give the same store.

use uuid::Uuid;

use crate::model::{
    Designation, Document, Flow, Group, Policy, PolicyBinding, PolicyKind, Stage, StageBinding,
    StageKind, Subject, Target, User, stage,
};

/// How big a store to make.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub flows: usize,
    pub stages: usize,
    pub stage_bindings: usize,
    pub policy_bindings: usize,
    pub users: usize,
    pub groups: usize,
    /// How deep the group hierarchy goes.
    pub group_depth: usize,
    /// Stage bindings of the first flow (the others share the rest evenly).
    pub first_flow_bindings: usize,
    pub seed: u64,
}

impl Sizes {
    /// The store of DESIGN.md §6.
    pub fn big() -> Sizes {
        Sizes {
            flows: 2_000,
            stages: 20_000,
            stage_bindings: 100_000,
            policy_bindings: 200_000,
            users: 50_000,
            groups: 5_000,
            group_depth: 6,
            first_flow_bindings: 200,
            seed: 1,
        }
    }
}

impl Sizes {
    /// The big store with every count divided by `divisor` (the scaling benchmarks' n, 2n, 4n).
    pub fn big_over(divisor: usize) -> Sizes {
        let big = Sizes::big();
        Sizes {
            flows: big.flows / divisor,
            stages: big.stages / divisor,
            stage_bindings: big.stage_bindings / divisor,
            policy_bindings: big.policy_bindings / divisor,
            users: big.users / divisor,
            groups: big.groups / divisor,
            ..big
        }
    }
}

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            [self.next().to_le_bytes(), self.next().to_le_bytes()]
                .concat()
                .try_into()
                .expect("16 bytes"),
        )
        .into_uuid()
    }
}

const FLAVOURS: &[&str] = &["", "", "", " ünïcødé", " 認証", " émoji ✓"];
const STAGE_MODELS: &[&str] = &[
    "authentik_stages_identification.identificationstage",
    "authentik_stages_password.passwordstage",
    "authentik_stages_authenticator_validate.authenticatorvalidatestage",
    "authentik_stages_user_login.userloginstage",
    "authentik_stages_prompt.promptstage",
    "authentik_stages_consent.consentstage",
    "authentik_stages_deny.denystage",
    "authentik_stages_dummy.dummystage",
    "authentik_stages_captcha.captchastage",
];

pub fn generate(sizes: Sizes) -> Document {
    let mut rng = Rng(sizes.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut doc = Document::default();

    // Groups in levels; each below the top has a parent one level up, some a second one.
    let depth = sizes.group_depth.max(1);
    let per_level = sizes.groups.div_ceil(depth).max(1);
    let mut levels: Vec<Vec<Uuid>> = Vec::new();
    for i in 0..sizes.groups {
        let level = (i / per_level).min(depth - 1);
        let mut group = Group::new(&format!("group-{i}{}", FLAVOURS[rng.below(FLAVOURS.len())]));
        group.id = rng.uuid();
        group.is_superuser = level == 0 && rng.chance(5);
        if level > 0 {
            let above = &levels[level - 1];
            group.parents.push(above[rng.below(above.len())]);
            if rng.chance(10) {
                let second = above[rng.below(above.len())];
                if !group.parents.contains(&second) {
                    group.parents.push(second);
                }
            }
        }
        if levels.len() <= level {
            levels.push(Vec::new());
        }
        levels[level].push(group.id);
        doc.groups.put(group);
    }
    let groups: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();

    for i in 0..sizes.users {
        let mut user = User::new(&format!("user{i}"));
        user.id = rng.uuid();
        user.pk = Some(i as i64 + 1);
        user.name = format!("User {i}{}", FLAVOURS[rng.below(FLAVOURS.len())]);
        user.email = format!("user{i}@example.com");
        for _ in 0..1 + rng.below(3) {
            if let Some(level) = levels.last().filter(|_| !groups.is_empty()) {
                let g = if rng.chance(70) {
                    level[rng.below(level.len())]
                } else {
                    groups[rng.below(groups.len())]
                };
                if !user.groups.contains(&g) {
                    user.groups.push(g);
                }
            }
        }
        doc.users.put(user);
    }
    let users: Vec<Uuid> = doc.users.iter().map(|u| u.id).collect();

    let designations = [
        Designation::Authentication,
        Designation::Authorization,
        Designation::Enrollment,
        Designation::Recovery,
        Designation::StageConfiguration,
    ];
    for i in 0..sizes.flows {
        let mut flow = Flow::new(
            &format!("flow-{i}"),
            &format!("Flow {i}{}", FLAVOURS[rng.below(FLAVOURS.len())]),
            designations[rng.below(designations.len())],
        );
        flow.id = rng.uuid();
        doc.flows.put(flow);
    }
    let flows: Vec<Uuid> = doc.flows.iter().map(|f| f.id).collect();

    let policy_count = (sizes.flows * 2).max(1);
    for i in 0..policy_count {
        let kind = if rng.chance(50) {
            let mut kind =
                PolicyKind::default_for("authentik_policies_dummy.dummypolicy").expect("dummy");
            if let PolicyKind::Dummy(d) = &mut kind {
                d.result = rng.chance(60);
            }
            kind
        } else {
            let mut kind =
                PolicyKind::default_for("authentik_policies_expression.expressionpolicy")
                    .expect("expression");
            if let PolicyKind::Expression(e) = &mut kind {
                e.expression = format!("return request.user.attributes.get('tier') == {i}");
            }
            kind
        };
        let mut policy = Policy::new(&format!("policy-{i}"), kind);
        policy.id = rng.uuid();
        doc.policies.put(policy);
    }
    let policies: Vec<Uuid> = doc.policies.iter().map(|p| p.id).collect();

    for i in 0..sizes.stages {
        let model = STAGE_MODELS[rng.below(STAGE_MODELS.len())];
        let mut kind = StageKind::default_for(model).expect("known model");
        // What authentik's serializers want of a stage, beyond its model's defaults
        // (`IdentificationStageSerializer.validate`, `RedirectStageSerializer.validate`).
        match &mut kind {
            StageKind::Identification(s) => s.user_fields = vec![stage::UserFieldKind::Username],
            StageKind::Redirect(s) => s.target_static = "https://example.org/".into(),
            _ => {}
        }
        let mut stage = Stage::new(
            &format!("stage-{i}{}", FLAVOURS[rng.below(FLAVOURS.len())]),
            kind,
        );
        stage.id = rng.uuid();
        doc.stages.put(stage);
    }
    let stages: Vec<Uuid> = doc.stages.iter().map(|s| s.id).collect();

    if !flows.is_empty() && !stages.is_empty() {
        let first = sizes.first_flow_bindings.min(sizes.stage_bindings);
        let rest = sizes.stage_bindings - first;
        let per_flow = if flows.len() > 1 {
            rest.div_ceil(flows.len() - 1)
        } else {
            0
        };
        let mut placed = 0;
        for (f, flow) in flows.iter().enumerate() {
            let count = if f == 0 {
                first
            } else {
                per_flow.min(sizes.stage_bindings - placed)
            };
            for k in 0..count {
                // Stages are shared: most flows draw from a common pool.
                let stage = stages[(f * 7 + k * 13 + rng.below(5)) % stages.len()];
                let mut binding = StageBinding::new(*flow, stage, (k as i64 + 1) * 10);
                binding.id = rng.uuid();
                binding.evaluate_on_plan = rng.chance(20);
                binding.re_evaluate_policies = !binding.evaluate_on_plan || rng.chance(50);
                doc.stage_bindings.put(binding);
            }
            placed += count;
        }
    }
    let bindings: Vec<(Uuid, Uuid)> = doc
        .stage_bindings
        .iter()
        .map(|b| (b.id, b.target))
        .collect();

    // The first flow's bindings get five bindings each; the rest is spread at random.
    let first_flow = flows.first().copied();
    let mut made = 0;
    for (id, flow) in &bindings {
        if Some(*flow) != first_flow || made + 5 > sizes.policy_bindings {
            continue;
        }
        for order in 0..5 {
            doc.policy_bindings.put(policy_binding(
                &mut rng,
                Target::StageBinding(*id),
                order,
                &policies,
                &groups,
                &users,
            ));
            made += 1;
        }
    }
    while made < sizes.policy_bindings && !bindings.is_empty() {
        let target = if rng.chance(5) {
            Target::Flow(flows[rng.below(flows.len())])
        } else {
            Target::StageBinding(bindings[rng.below(bindings.len())].0)
        };
        let order = rng.below(1_000_000) as i64;
        doc.policy_bindings.put(policy_binding(
            &mut rng, target, order, &policies, &groups, &users,
        ));
        made += 1;
    }
    doc
}

fn policy_binding(
    rng: &mut Rng,
    target: Target,
    order: i64,
    policies: &[Uuid],
    groups: &[Uuid],
    users: &[Uuid],
) -> PolicyBinding {
    let subject = match rng.below(100) {
        0..50 if !policies.is_empty() => Subject::Policy(policies[rng.below(policies.len())]),
        50..85 if !groups.is_empty() => Subject::Group(groups[rng.below(groups.len())]),
        _ if !users.is_empty() => Subject::User(users[rng.below(users.len())]),
        _ => Subject::Policy(policies[rng.below(policies.len())]),
    };
    let mut binding = PolicyBinding::new(target, subject, order);
    binding.id = rng.uuid();
    binding.negate = rng.chance(10);
    binding.enabled = !rng.chance(5);
    binding
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::check_document;

    #[test]
    fn generates_a_valid_store_of_the_asked_size() {
        let sizes = Sizes {
            flows: 20,
            stages: 50,
            stage_bindings: 400,
            policy_bindings: 900,
            users: 300,
            groups: 60,
            group_depth: 6,
            first_flow_bindings: 40,
            seed: 7,
        };
        let doc = generate(sizes);
        assert_eq!(doc.flows.len(), 20);
        assert_eq!(doc.stages.len(), 50);
        assert_eq!(doc.stage_bindings.len(), 400);
        assert_eq!(doc.policy_bindings.len(), 900);
        assert_eq!(doc.users.len(), 300);
        assert_eq!(doc.groups.len(), 60);
        assert_eq!(check_document(&doc), vec![]);
        let first = doc.flows.iter().next().unwrap().id;
        assert_eq!(doc.bindings_of_flow(first).len(), 40);
        assert_eq!(generate(sizes), doc, "deterministic");
    }
}
