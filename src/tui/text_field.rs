//! Editing a dialog's text field as a terminal line editor does: a cursor, Home/End, word
//! jumps, Ctrl-u/Ctrl-w/Ctrl-k and paste, over ratatui-textarea's editing model. The field's
//! text stays a plain string in the form (what the dialogs read); the cursor is kept beside it
//! and each edit is applied to both.

use ratatui_textarea::{CursorMove, TextArea};

use super::action::Action;

/// One editing step on the focused text field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEdit {
    Left,
    Right,
    LineStart,
    LineEnd,
    WordLeft,
    WordRight,
    /// Multi-line fields only; false (nothing moved) on the first or last line.
    LineUp,
    LineDown,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    DeleteToStart,
    DeleteToEnd,
    NewLine,
}

impl TextEdit {
    /// The editing step a keymap action stands for in a text field (Up and Down are not
    /// one: they leave a one-line field).
    pub fn of(action: Action) -> Option<TextEdit> {
        Some(match action {
            Action::CursorLeft => TextEdit::Left,
            Action::CursorRight => TextEdit::Right,
            Action::LineStart => TextEdit::LineStart,
            Action::LineEnd => TextEdit::LineEnd,
            Action::WordLeft => TextEdit::WordLeft,
            Action::WordRight => TextEdit::WordRight,
            Action::DeleteBack => TextEdit::DeleteBack,
            Action::DeleteForward => TextEdit::DeleteForward,
            Action::DeleteWordBack => TextEdit::DeleteWordBack,
            Action::DeleteToStart => TextEdit::DeleteToStart,
            Action::DeleteToEnd => TextEdit::DeleteToEnd,
            Action::NewLine => TextEdit::NewLine,
            _ => return None,
        })
    }
}

/// Where the cursor stands in a field's text, and the editor that moves it.
#[derive(Clone, Debug)]
pub struct TextCursor {
    editor: TextArea<'static>,
}

impl PartialEq for TextCursor {
    fn eq(&self, other: &TextCursor) -> bool {
        self.editor.lines() == other.editor.lines() && self.editor.cursor() == other.editor.cursor()
    }
}

impl TextCursor {
    /// Editing `text`, with the cursor at its end (where typing into a field has always gone).
    pub fn at_end(text: &str) -> TextCursor {
        let mut editor = TextArea::new(text.split('\n').map(str::to_string).collect());
        // The dialog has its own undo (Esc cancels); the field keeps no history of its own.
        editor.set_max_histories(0);
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        TextCursor { editor }
    }

    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Whether this cursor edits `text` (and not a text changed under it since).
    pub fn edits(&self, text: &str) -> bool {
        let lines = self.editor.lines();
        text.split('\n').eq(lines.iter().map(String::as_str))
    }

    /// The cursor's line and its position on it, in characters.
    pub fn position(&self) -> (usize, usize) {
        let at = self.editor.cursor();
        (at.0, at.1)
    }

    /// Inserts text at the cursor; a new line in it starts a new line.
    pub fn insert(&mut self, text: &str) {
        self.editor.insert_str(text);
    }

    /// Applies one step; whether it changed the text or moved the cursor.
    pub fn apply(&mut self, edit: TextEdit) -> bool {
        let before = (self.editor.cursor(), self.editor.lines().len());
        let moved = |e: &mut TextArea<'static>, m: CursorMove| {
            e.move_cursor(m);
            (e.cursor(), e.lines().len()) != before
        };
        let e = &mut self.editor;
        match edit {
            TextEdit::Left => moved(e, CursorMove::Back),
            TextEdit::Right => moved(e, CursorMove::Forward),
            TextEdit::LineStart => moved(e, CursorMove::Head),
            TextEdit::LineEnd => moved(e, CursorMove::End),
            TextEdit::WordLeft => moved(e, CursorMove::WordBack),
            TextEdit::WordRight => moved(e, CursorMove::WordForward),
            TextEdit::LineUp => moved(e, CursorMove::Up),
            TextEdit::LineDown => moved(e, CursorMove::Down),
            TextEdit::DeleteBack => e.delete_char(),
            TextEdit::DeleteForward => e.delete_next_char(),
            TextEdit::DeleteWordBack => e.delete_word(),
            TextEdit::DeleteToStart => e.delete_line_by_head(),
            TextEdit::DeleteToEnd => e.delete_line_by_end(),
            TextEdit::NewLine => {
                e.insert_newline();
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(text: &str, edits: &[TextEdit]) -> (String, (usize, usize)) {
        let mut cursor = TextCursor::at_end(text);
        for edit in edits {
            cursor.apply(*edit);
        }
        (cursor.text(), cursor.position())
    }

    #[test]
    fn a_line_editor_moves_and_deletes_as_readline_does() {
        use TextEdit::*;
        assert_eq!(after("deny access", &[]), ("deny access".into(), (0, 11)));
        assert_eq!(after("deny access", &[WordLeft]).1, (0, 5));
        assert_eq!(
            after("deny access", &[WordLeft, DeleteToStart]),
            ("access".into(), (0, 0))
        );
        assert_eq!(
            after("deny access", &[WordLeft, DeleteToEnd]),
            ("deny ".into(), (0, 5))
        );
        assert_eq!(after("deny access", &[DeleteWordBack]).0, "deny ");
        assert_eq!(
            after("deny access", &[LineStart, DeleteForward]),
            ("eny access".into(), (0, 0))
        );
        assert_eq!(
            after("deny access", &[Left, Left, DeleteBack]),
            ("deny accss".into(), (0, 8))
        );
        assert_eq!(after("ab", &[LineStart, LineEnd]).1, (0, 2));
    }

    #[test]
    fn a_multi_line_text_keeps_its_lines_and_says_when_the_cursor_cannot_move() {
        let mut cursor = TextCursor::at_end("{\n  \"a\": 1\n}");
        assert_eq!(cursor.position(), (2, 1));
        assert!(
            !cursor.apply(TextEdit::LineDown),
            "already on the last line"
        );
        assert!(cursor.apply(TextEdit::LineUp));
        cursor.apply(TextEdit::LineEnd);
        cursor.insert(",\n  \"b\": 2");
        assert_eq!(cursor.text(), "{\n  \"a\": 1,\n  \"b\": 2\n}");
        assert!(cursor.edits("{\n  \"a\": 1,\n  \"b\": 2\n}"));
        assert!(!cursor.edits("{}"));
        assert!(cursor.apply(TextEdit::LineUp) && cursor.apply(TextEdit::LineUp));
        assert!(!cursor.apply(TextEdit::LineUp), "already on the first line");
    }

    #[test]
    fn wide_characters_count_as_one_position() {
        let (text, at) = after("名前 ok", &[TextEdit::WordLeft]);
        assert_eq!((text.as_str(), at), ("名前 ok", (0, 3)));
    }
}
