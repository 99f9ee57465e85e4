//! Shared test helpers: a deterministic generator of valid stores of any size.
#![allow(dead_code)]

pub mod blueprints;
pub mod run;

use bindery::model::*;
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// A small deterministic PRNG (xorshift64*), so proptest seeds reproduce exactly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next(), self.next())
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
    /// A name with a unique suffix, sometimes with unicode or characters that need escaping.
    pub fn name(&mut self, base: &str, n: usize) -> String {
        let flavour = [
            "",
            " ünïcødé",
            " 名前",
            " \"quoted\"",
            " back\\slash",
            " tab\tand\nline",
        ];
        format!("{base}-{n}{}", flavour[self.below(flavour.len())])
    }
}

/// A valid store: every reference resolves, every unique key is unique.
pub fn random_document(seed: u64, size: usize) -> Document {
    let mut rng = Rng::new(seed);
    let mut doc = Document::default();
    let size = size.max(1);

    for i in 0..rng.below(size) + 1 {
        let mut group = Group::new(&rng.name("group", i));
        group.id = rng.uuid();
        group.is_superuser = rng.chance(10);
        let existing: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();
        if let Some(parent) = rng.pick(&existing)
            && rng.chance(60)
        {
            group.parents.push(*parent);
        }
        if rng.chance(30) {
            group
                .attributes
                .insert("k".into(), json!({"n": i, "list": [1, "two", null]}));
        }
        doc.groups.put(group);
    }
    let groups: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();

    for i in 0..rng.below(size) {
        let mut user = User::new(&rng.name("user", i));
        user.id = rng.uuid();
        user.pk = rng.chance(50).then_some(i as i64 + 1);
        user.email = format!("user{i}@example.com");
        user.is_active = !rng.chance(10);
        user.user_type = *rng.pick(UserType::ALL).unwrap();
        for _ in 0..rng.below(3) {
            let g = *rng.pick(&groups).unwrap();
            if !user.groups.contains(&g) {
                user.groups.push(g);
            }
        }
        doc.users.put(user);
    }
    let users: Vec<Uuid> = doc.users.iter().map(|u| u.id).collect();

    for i in 0..rng.below(size) + 1 {
        let designation = *rng.pick(Designation::ALL).unwrap();
        let mut flow = Flow::new(&format!("flow-{i}"), &rng.name("Flow", i), designation);
        flow.id = rng.uuid();
        flow.authentication = *rng.pick(AuthenticationRequirement::ALL).unwrap();
        flow.denied_action = *rng.pick(DeniedAction::ALL).unwrap();
        flow.policy_engine_mode = *rng.pick(EngineMode::ALL).unwrap();
        flow.layout = *rng.pick(Layout::ALL).unwrap();
        flow.compatibility_mode = rng.chance(20);
        doc.flows.put(flow);
    }
    let flows: Vec<Uuid> = doc.flows.iter().map(|f| f.id).collect();

    for i in 0..rng.below(size) {
        let mut prompt = Prompt::new(&rng.name("prompt", i), &format!("field_{i}"));
        prompt.id = rng.uuid();
        prompt.order = rng.below(100) as i64;
        doc.prompts.put(prompt);
    }
    let prompts: Vec<Uuid> = doc.prompts.iter().map(|p| p.id).collect();

    for i in 0..rng.below(size) {
        let kind = if rng.chance(10) {
            let mut attrs = Map::new();
            attrs.insert("opaque".into(), json!({"x": i, "y": [true, 2.5]}));
            PolicyKind::Other {
                model: "authentik_policies_future.futurepolicy".into(),
                attrs,
            }
        } else {
            let info = rng.pick(PolicyKind::TYPES).unwrap();
            let mut kind = PolicyKind::default_for(info.model).unwrap();
            match &mut kind {
                PolicyKind::Dummy(d) => d.result = rng.chance(50),
                PolicyKind::Expression(e) => e.expression = format!("return {}", rng.chance(50)),
                _ => {}
            }
            kind
        };
        let mut policy = Policy::new(&rng.name("policy", i), kind);
        policy.id = rng.uuid();
        policy.execution_logging = rng.chance(20);
        doc.policies.put(policy);
    }
    let policies: Vec<Uuid> = doc.policies.iter().map(|p| p.id).collect();

    for i in 0..rng.below(size) + 1 {
        let kind = if rng.chance(10) {
            let mut attrs = Map::new();
            attrs.insert("whatever".into(), Value::String(format!("v{i}")));
            StageKind::Other {
                model: "authentik_stages_future.futurestage".into(),
                attrs,
            }
        } else {
            let info = rng.pick(StageKind::TYPES).unwrap();
            let mut kind = StageKind::default_for(info.model).unwrap();
            match &mut kind {
                StageKind::Prompt(p) => {
                    for _ in 0..rng.below(3) {
                        if let Some(id) = rng.pick(&prompts)
                            && !p.fields.contains(id)
                        {
                            p.fields.push(*id);
                        }
                    }
                    if let Some(id) = rng.pick(&policies) {
                        p.validation_policies.push(*id);
                    }
                }
                StageKind::Identification(s) => {
                    // authentik's serializer refuses no user fields and no sources
                    // (`IdentificationStageSerializer.validate`); no draw, so the rest of
                    // the document stays what each seed made before.
                    s.user_fields = vec![stage::UserFieldKind::Username];
                    s.enrollment_flow = rng.pick(&flows).copied();
                    s.recovery_flow = rng.pick(&flows).copied();
                }
                StageKind::UserWrite(s) => s.create_users_group = rng.pick(&groups).copied(),
                StageKind::Redirect(s) => {
                    s.target_flow = rng.pick(&flows).copied();
                    // A mode with its target, as `RedirectStageSerializer.validate` wants.
                    if s.target_flow.is_some() {
                        s.mode = stage::RedirectMode::Flow;
                    } else {
                        s.target_static = "https://example.org/".into();
                    }
                }
                StageKind::Password(s) => {
                    s.backends = vec!["authentik.core.auth.InbuiltBackend".into()];
                    s.configure_flow = rng.pick(&flows).copied();
                }
                _ => {}
            }
            kind
        };
        let mut stage = Stage::new(&rng.name("stage", i), kind);
        stage.id = rng.uuid();
        doc.stages.put(stage);
    }
    let stages: Vec<Uuid> = doc.stages.iter().map(|s| s.id).collect();

    for i in 0..rng.below(size * 2) {
        let flow = *rng.pick(&flows).unwrap();
        let stage = *rng.pick(&stages).unwrap();
        let mut binding = StageBinding::new(flow, stage, (i as i64) * 10);
        binding.id = rng.uuid();
        binding.evaluate_on_plan = rng.chance(40);
        binding.re_evaluate_policies = !binding.evaluate_on_plan || rng.chance(50);
        binding.policy_engine_mode = *rng.pick(EngineMode::ALL).unwrap();
        binding.invalid_response_action = *rng.pick(InvalidResponseAction::ALL).unwrap();
        doc.stage_bindings.put(binding);
    }
    let bindings: Vec<Uuid> = doc.stage_bindings.iter().map(|b| b.id).collect();

    for i in 0..rng.below(size * 2) {
        let target = match rng.pick(&bindings) {
            Some(b) if rng.chance(70) => Target::StageBinding(*b),
            _ => Target::Flow(*rng.pick(&flows).unwrap()),
        };
        let subject = match rng.below(3) {
            0 if !policies.is_empty() => Subject::Policy(*rng.pick(&policies).unwrap()),
            1 if !users.is_empty() => Subject::User(*rng.pick(&users).unwrap()),
            _ => Subject::Group(*rng.pick(&groups).unwrap()),
        };
        let mut binding = PolicyBinding::new(target, subject, i as i64);
        binding.id = rng.uuid();
        binding.enabled = !rng.chance(15);
        binding.negate = rng.chance(20);
        binding.failure_result = rng.chance(20);
        binding.timeout = rng.below(60) as u32;
        doc.policy_bindings.put(binding);
    }
    doc
}
