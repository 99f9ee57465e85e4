//! One line on what the highlighted value of a choice field means, as authentik's forms say it
//! under the field, so that an administrator need not look it up.

/// The explanation of `value` in the choice field `key`, when there is one.
pub fn explanation(key: &str, value: &str) -> Option<&'static str> {
    Some(match (key, value) {
        ("policy_engine_mode", "any") => "any: one passing binding is enough to pass",
        ("policy_engine_mode", "all") => "all: every binding must pass (none bound: passes)",
        ("invalid_response_action", "retry") => {
            "retry: show the error and the same challenge again"
        }
        ("invalid_response_action", "restart") => {
            "restart: start the flow again from its first stage"
        }
        ("invalid_response_action", "restart_with_context") => {
            "restart_with_context: start again from the first stage, keeping what is known"
        }
        ("failure_result", "don't pass") => {
            "when the policy errors or times out, this binding does not pass"
        }
        ("failure_result", "pass") => "when the policy errors or times out, this binding passes",
        ("denied_action", "message_continue") => {
            "message_continue: follow ?next when given, else show the message"
        }
        ("denied_action", "message") => "message: always show the message",
        ("denied_action", "continue") => "continue: follow ?next, else go to the default page",
        ("authentication", "none") => "none: anyone may start this flow",
        ("authentication", "require_authenticated") => "only users who are logged in",
        ("authentication", "require_unauthenticated") => "only visitors who are not logged in",
        ("authentication", "require_superuser") => "only superusers",
        ("authentication", "require_redirect") => "only when redirected here by another flow",
        ("authentication", "require_outpost") => "only through an outpost",
        ("designation", "authentication") => "logs a user in",
        ("designation", "authorization") => "asks a logged-in user to consent to an application",
        ("designation", "invalidation") => "logs a user out",
        ("designation", "enrollment") => "signs a new user up",
        ("designation", "unenrollment") => "deletes the user's account",
        ("designation", "recovery") => "lets a user recover their account",
        ("designation", "stage_configuration") => "lets a user set up a stage (MFA, password)",
        _ => return None,
    })
}
