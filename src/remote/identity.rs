//! A user's identity across a pull. authentik knows a user by an integer pk, and a pull gives
//! each pulled user the id derived from it ([`User::id_for_pk`]); a user made here has another
//! id, and no pk until the push that creates it. The next pull would see the base's user
//! deleted and a new one made. Instead, a pulled user takes the id of the base's user with its
//! pk or, for one the base holds without a pk yet, its username, along with every binding to
//! it.

use std::collections::HashMap;

use uuid::Uuid;

use crate::model::{Document, Subject, Table, User};

/// Gives each user of `remote` the id the base knows it by.
pub(super) fn keep_user_ids(remote: &mut Document, base: &Document) {
    let mut by_pk = HashMap::new();
    let mut unsent = HashMap::new();
    for user in base.users.iter() {
        match user.pk {
            Some(pk) => by_pk.insert(pk, user.id),
            None => unsent.insert(user.username.as_str(), user.id),
        };
    }
    let mut moved: HashMap<Uuid, Uuid> = HashMap::new();
    for user in remote.users.iter() {
        let known = match user.pk {
            Some(pk) => by_pk.get(&pk),
            None => None,
        }
        .or_else(|| unsent.get(user.username.as_str()));
        if let Some(&id) = known
            && id != user.id
            && !remote.users.contains(id)
        {
            moved.insert(user.id, id);
        }
    }
    if moved.is_empty() {
        return;
    }
    let users: Vec<User> = remote
        .users
        .iter()
        .map(|user| User {
            id: moved.get(&user.id).copied().unwrap_or(user.id),
            ..user.clone()
        })
        .collect();
    remote.users = Table::default();
    for user in users {
        remote.users.put(user);
    }
    for id in remote.ids_of(crate::model::ObjKind::PolicyBinding) {
        let binding = remote.policy_bindings.get_mut(id).expect("listed");
        if let Subject::User(user) = binding.subject
            && let Some(&to) = moved.get(&user)
        {
            binding.subject = Subject::User(to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Designation, Flow, PolicyBinding, Target};

    #[test]
    fn a_pulled_user_keeps_the_id_the_base_knows_it_by_with_its_bindings() {
        let mut base = Document::default();
        let made_here = base.users.put(User::new("newbie"));
        let mut known = User::new("old");
        known.pk = Some(7);
        let known = base.users.put(known);

        let mut remote = Document::default();
        let flow = remote
            .flows
            .put(Flow::new("f", "F", Designation::Authentication));
        let mut pulled = User::new("newbie");
        pulled.pk = Some(8);
        pulled.id = User::id_for_pk(8);
        let pulled = remote.users.put(pulled);
        let mut old = User::new("old");
        old.pk = Some(7);
        old.id = User::id_for_pk(7);
        let old = remote.users.put(old);
        let mut stranger = User::new("stranger");
        stranger.pk = Some(9);
        stranger.id = User::id_for_pk(9);
        let stranger = remote.users.put(stranger);
        let binding = remote.policy_bindings.put(PolicyBinding::new(
            Target::Flow(flow),
            Subject::User(pulled),
            0,
        ));

        keep_user_ids(&mut remote, &base);
        let ids: Vec<Uuid> = remote.users.iter().map(|u| u.id).collect();
        assert_eq!(ids, [made_here, known, stranger], "same order, base ids");
        assert!(!remote.users.contains(old));
        assert_eq!(remote.users.get(made_here).unwrap().pk, Some(8));
        assert_eq!(
            remote.policy_bindings.get(binding).unwrap().subject,
            Subject::User(made_here)
        );
    }
}
