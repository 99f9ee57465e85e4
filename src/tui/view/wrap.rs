//! Styled lines folded to a width in terminal cells, each piece keeping its spans' styles. The
//! folding itself is the library's ([`crate::text::wrap_ranges`]); this only cuts the spans
//! along the lines it finds. Lines must be sanitised before (views draw `safe` text).

use std::ops::Range;

use ratatui::text::{Line, Span};

/// Lines wider than `width` cells folded at spaces (a word wider than a line is broken);
/// a folded line's continuation keeps its leading indent when there is room for it, and its
/// runs of spaces become one.
pub fn wrapped(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let spans = collapse_spaces(&line.spans);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        let mut indent = text.len() - text.trim_start_matches(' ').len();
        if indent * 2 > width {
            indent = 0;
        }
        let indent_style = line.spans.first().map(|s| s.style).unwrap_or_default();
        for range in crate::text::wrap_ranges(&text[indent..], width - indent) {
            let range = range.start + indent..range.end + indent;
            let mut pieces = Vec::new();
            if indent > 0 {
                pieces.push(Span::styled(" ".repeat(indent), indent_style));
            }
            pieces.extend(slice_spans(&spans, range));
            out.push(Line {
                spans: pieces,
                style: line.style,
                alignment: line.alignment,
            });
        }
    }
    out
}

/// The spans with each run of spaces after the indent made one space: a folded line's
/// column padding would only push words onto more lines.
fn collapse_spaces(spans: &[Span<'static>]) -> Vec<Span<'static>> {
    let mut indent = true;
    let mut after_space = false;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let mut content = String::with_capacity(span.content.len());
        for c in span.content.chars() {
            indent &= c == ' ';
            if indent || c != ' ' || !after_space {
                content.push(c);
            }
            after_space = c == ' ';
        }
        out.push(Span::styled(content, span.style));
    }
    out
}

/// The parts of `spans` within the byte `range` of their joined text, each with its style.
fn slice_spans(spans: &[Span<'static>], range: Range<usize>) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut at = 0;
    for span in spans {
        let len = span.content.len();
        let (start, end) = (range.start.max(at), range.end.min(at + len));
        if start < end {
            out.push(Span::styled(
                span.content[start - at..end - at].to_string(),
                span.style,
            ));
        }
        at += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Style};

    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn folded_pieces_keep_each_span_style() {
        let red = Style::new().fg(Color::Red);
        let blue = Style::new().fg(Color::Blue);
        let line = Line::from(vec![
            Span::styled("認証フロー denied ", red),
            Span::styled("🔐 login blocked", blue),
        ]);
        let pieces = wrapped(vec![line], 12);
        let texts: Vec<String> = pieces.iter().map(text).collect();
        assert_eq!(texts, ["認証フロー", "denied 🔐", "login", "blocked"]);
        for piece in &pieces {
            assert!(piece.width() <= 12, "{piece:?}");
        }
        assert_eq!(pieces[1].spans[0].style, red);
        assert_eq!(pieces[1].spans[1].style, blue);
        assert!(pieces[2].spans.iter().all(|s| s.style == blue));
    }

    #[test]
    fn continuation_lines_keep_the_indent_and_the_width() {
        let line = Line::from("  cafe\u{301} nai\u{308}ve 名前名前名前名前 end");
        let pieces = wrapped(vec![line], 10);
        for piece in &pieces {
            assert!(piece.width() <= 10, "{piece:?}");
            assert!(text(piece).starts_with("  "), "{piece:?}");
        }
        assert_eq!(text(&pieces[0]), "  cafe\u{301}");
    }

    #[test]
    fn short_lines_are_kept_as_they_are() {
        let line = Line::from(Span::styled("short", Style::new().fg(Color::Green)));
        assert_eq!(wrapped(vec![line.clone()], 10), vec![line]);
    }
}
