//! The syntax check authentik applies to an expression policy's code
//! (`ExpressionPolicySerializer.validate_expression` → `BaseEvaluator.validate` in
//! `authentik/lib/expression/evaluator.py`): `wrap_expression` indents the code by four spaces
//! (`textwrap.indent`, which leaves lines of only white space alone) as the body of
//! `def handler(...):`, adds `result = handler(...)`, and `compile`s the whole. The same text is
//! parsed here with ruff's Python parser, and the first error is reported at its line and
//! column inside the expression as written.

/// The function authentik wraps the code in (its arguments do not change the syntax).
const HEADER: &str = "def handler():\n";
const FOOTER: &str = "\nresult = handler()";
const INDENT: &str = "    ";

/// Why `expression` would not compile in authentik, naming the line and column inside it.
/// Empty code is left to the required-field rule.
pub fn expression_problem(expression: &str) -> Option<String> {
    if expression.trim().is_empty() {
        return None;
    }
    let wrapped = wrap(expression);
    let error = ruff_python_parser::parse_module(&wrapped).err()?;
    let offset = usize::from(error.location.start()).min(wrapped.len());
    let (line, col) = position_in_expression(expression, &wrapped, offset);
    Some(format!(
        "line {line}, column {col}: Python syntax error: {}",
        error.error
    ))
}

/// `wrap_expression` without the handler's arguments.
fn wrap(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len() + 64);
    out.push_str(HEADER);
    for line in expression.split_inclusive('\n') {
        if !line.trim().is_empty() {
            out.push_str(INDENT);
        }
        out.push_str(line);
    }
    out.push_str(FOOTER);
    out
}

/// The 1-based line and character column in `expression` of byte `offset` in `wrapped`. An
/// error in the header or footer (the code ended too early) lands on the last line.
fn position_in_expression(expression: &str, wrapped: &str, offset: usize) -> (usize, usize) {
    let before = &wrapped[..floor_char_boundary(wrapped, offset)];
    let wrapped_line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let lines: Vec<&str> = expression.split('\n').collect();
    let last = lines.len();
    if wrapped_line - 1 > last || wrapped_line == 1 {
        // The code ended while something was still open (a bracket, a block): its last line.
        let line = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(1, |i| i + 1);
        return (line, lines[line - 1].chars().count() + 1);
    }
    let line = wrapped_line - 1;
    let indent = if lines[line - 1].trim().is_empty() {
        0
    } else {
        INDENT.len()
    };
    let col = before[line_start..].chars().count().saturating_sub(indent) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::expression_problem;

    #[test]
    fn valid_code_passes_including_recent_syntax() {
        for ok in [
            "return True",
            "return request.user.username == 'akadmin'",
            "if x:\n    return True\nreturn False",
            "\n\nreturn 1\n",
            // PEP 701 f-strings (Python 3.12), as authentik's Python reads them.
            "return f\"{request.context[\"x\"]}\"",
            "match x:\n    case 1:\n        return True\n    case _:\n        return False",
        ] {
            assert_eq!(expression_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors_name_the_line_and_column_inside_the_expression() {
        let found = expression_problem("x = 1\nreturn x +\n").unwrap();
        assert!(found.starts_with("line 2, column 11: "), "{found}");
        let found = expression_problem("return (1,\n").unwrap();
        assert!(found.starts_with("line 1, "), "{found}");
        let found = expression_problem("return 1\n  return 2").unwrap();
        assert!(found.starts_with("line 2, "), "{found}");
        assert_eq!(expression_problem("   "), None);
    }
}
