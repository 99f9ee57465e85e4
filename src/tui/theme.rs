//! Colours and emphasis. Nothing is conveyed by colour alone: selection is reversed and marked,
//! focus is bold and marked, errors are prefixed. `NO_COLOR` drops the colours; a user's
//! `theme.toml` in the config directory may change them.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub colour: bool,
    pub accent: Color,
    pub error: Color,
    pub dim: Color,
    pub matched: Color,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            colour: true,
            accent: Color::Cyan,
            error: Color::Red,
            dim: Color::DarkGray,
            matched: Color::Yellow,
        }
    }
}

impl Theme {
    pub fn monochrome() -> Theme {
        Theme {
            colour: false,
            ..Theme::default()
        }
    }

    /// The defaults (or monochrome under NO_COLOR) with a user file's colours.
    pub fn from_toml(text: &str, no_color: bool, origin: &str) -> Result<Theme, String> {
        let mut theme = if no_color {
            Theme::monochrome()
        } else {
            Theme::default()
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("{origin}: {e}"))?;
        for (key, value) in table {
            let name = value.as_str().ok_or_else(|| {
                format!("{origin}: {key} must be a colour name such as \"cyan\" or \"#00aaff\"")
            })?;
            let colour = Color::from_str(name)
                .map_err(|_| format!("{origin}: {key}: unknown colour {name:?}"))?;
            match key.as_str() {
                "accent" => theme.accent = colour,
                "error" => theme.error = colour,
                "dim" => theme.dim = colour,
                "matched" => theme.matched = colour,
                other => {
                    return Err(format!(
                        "{origin}: unknown theme key {other:?} (accent, error, dim, matched)"
                    ));
                }
            }
        }
        Ok(theme)
    }

    fn fg(&self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.colour {
            self.fg(self.dim)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn error(&self) -> Style {
        self.fg(self.error).add_modifier(Modifier::BOLD)
    }

    pub fn matched(&self) -> Style {
        self.fg(self.matched)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn focus(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
}
