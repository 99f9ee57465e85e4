//! What a policy does without a live request, as authentik runs it: a fixed result, a raise
//! (which `PolicyProcess.run` turns into a failing result), either of the two, or "needs live
//! data". Depends on who the policy is evaluated for.

use super::policy::Person;
use crate::model::PolicyKind;
use crate::model::policy::DummyPolicy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offline {
    /// The policy returns this result (negate then applies).
    Returns(bool, &'static str),
    /// The policy raises: the binding fails whatever `negate` and `failure_result` say.
    Raises(&'static str),
    /// Each run either raises or returns the result, at random.
    RaisesOrReturns(bool, &'static str),
    /// Needs live request data: unknown unless assumed.
    Live,
}

/// authentik/policies/dummy/models.py `DummyPolicy.passes`: `SystemRandom().randrange(wait_min,
/// wait_max)` raises ValueError on an empty range (`wait_max <= wait_min`), and `sleep` raises
/// ValueError on a negative draw. Neither is a `PolicyException`, so `PolicyProcess.execute`
/// does not catch it; `PolicyProcess.run` does and sends `PolicyResult(False)` (negate and
/// failure_result are never applied).
fn dummy(d: &DummyPolicy) -> Offline {
    if d.wait_max <= d.wait_min {
        return Offline::Raises("wait_max is not above wait_min: its random wait raises");
    }
    // The draw is in wait_min..=wait_max-1.
    if d.wait_max <= 0 {
        return Offline::Raises("every wait it can draw is negative: sleeping raises");
    }
    if d.wait_min < 0 {
        return Offline::RaisesOrReturns(
            d.result,
            "fixed result, unless it draws a negative wait, which raises",
        );
    }
    Offline::Returns(d.result, "fixed result")
}

pub fn offline(kind: &PolicyKind, person: Person) -> Offline {
    match kind {
        PolicyKind::Dummy(d) => dummy(d),
        // authentik/policies/event_matcher/models.py `EventMatcherPolicy.passes`: without an
        // "event" in the request context it returns PolicyResult(False); a flow's policy
        // request never carries one.
        PolicyKind::EventMatcher(_) => Offline::Returns(
            false,
            "always fails in a flow: there is no event in the request",
        ),
        // authentik/policies/expiry/models.py `PasswordExpiryPolicy.passes` reads
        // `request.user.password_change_date`; Django's AnonymousUser has none, so it raises
        // AttributeError, caught by `PolicyProcess.run` as a failing result.
        PolicyKind::PasswordExpiry(_) if person == Person::Anonymous => {
            Offline::Raises("the anonymous user has no password change date: it raises")
        }
        _ => Offline::Live,
    }
}

/// Why an assumption about this kind of policy is never used, if it never is.
pub fn assumption_ignored(kind: &PolicyKind) -> Option<&'static str> {
    match kind {
        PolicyKind::Dummy(_) => Some(
            "a dummy policy returns its fixed result (or raises when its wait range is invalid)",
        ),
        PolicyKind::EventMatcher(_) => Some(
            "an event matcher policy always fails in a flow (there is no event in a flow's request)",
        ),
        _ => None,
    }
}
