//! What the engine looks up on every plan, computed once per document: policy bindings by
//! target, stage bindings by flow, users by name, and each user's groups with all their
//! ancestors (authentik's `all_groups()`), so that a plan never scans the whole store.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::model::{Document, PolicyBinding, StageBinding};

pub struct Index<'a> {
    pub doc: &'a Document,
    policy_bindings: HashMap<Uuid, Vec<&'a PolicyBinding>>,
    stage_bindings: HashMap<Uuid, Vec<&'a StageBinding>>,
    usernames: HashMap<&'a str, Uuid>,
}

impl<'a> Index<'a> {
    pub fn build(doc: &'a Document) -> Index<'a> {
        let mut policy_bindings: HashMap<Uuid, Vec<&PolicyBinding>> = HashMap::new();
        for b in doc.policy_bindings.iter() {
            policy_bindings.entry(b.target.id()).or_default().push(b);
        }
        for list in policy_bindings.values_mut() {
            list.sort_by_key(|b| b.order);
        }
        let mut stage_bindings: HashMap<Uuid, Vec<&StageBinding>> = HashMap::new();
        for b in doc.stage_bindings.iter() {
            stage_bindings.entry(b.target).or_default().push(b);
        }
        for list in stage_bindings.values_mut() {
            list.sort_by_key(|b| b.order);
        }
        let usernames = doc
            .users
            .iter()
            .map(|u| (u.username.as_str(), u.id))
            .collect();
        Index {
            doc,
            policy_bindings,
            stage_bindings,
            usernames,
        }
    }

    /// Policy, group and user bindings on a flow or stage binding, in `order` (ties by
    /// creation).
    pub fn policy_bindings_of(&self, target: Uuid) -> &[&'a PolicyBinding] {
        self.policy_bindings.get(&target).map_or(&[], Vec::as_slice)
    }

    /// A flow's stage bindings in plan order.
    pub fn stage_bindings_of(&self, flow: Uuid) -> &[&'a StageBinding] {
        self.stage_bindings.get(&flow).map_or(&[], Vec::as_slice)
    }

    pub fn user_named(&self, username: &str) -> Option<Uuid> {
        self.usernames.get(username).copied()
    }

    /// A user's direct groups and every ancestor of them; cycles terminate.
    pub fn all_groups(&self, user: Uuid) -> HashSet<Uuid> {
        match self.doc.users.get(user) {
            Some(user) => self.with_ancestors(user.groups.clone()),
            None => HashSet::new(),
        }
    }

    /// A group and every ancestor of it.
    pub fn group_ancestry(&self, group: Uuid) -> HashSet<Uuid> {
        self.with_ancestors(vec![group])
    }

    fn with_ancestors(&self, mut queue: Vec<Uuid>) -> HashSet<Uuid> {
        let mut seen = HashSet::new();
        while let Some(group) = queue.pop() {
            if seen.insert(group)
                && let Some(g) = self.doc.groups.get(group)
            {
                queue.extend(g.parents.iter().copied());
            }
        }
        seen
    }

    /// authentik's computed `is_superuser`: some group in `all_groups()` is a superuser group.
    pub fn is_superuser(&self, user: Uuid) -> bool {
        self.all_groups(user)
            .iter()
            .any(|g| self.doc.groups.get(*g).is_some_and(|g| g.is_superuser))
    }
}
