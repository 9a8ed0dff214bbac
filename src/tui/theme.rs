//! Colours and symbols. The level is always text + symbol + colour, so nothing depends on
//! colour alone. `dark` (high contrast, default), `light`, and monochrome when `NO_COLOR`
//! is set; `unicode` or `ascii` symbols for terminals that draw ▲ ■ ● or borders double.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::domain::level::RiskLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    Dark,
    Light,
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbols {
    Unicode,
    Ascii,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub palette: Palette,
    pub symbols: Symbols,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            palette: Palette::Dark,
            symbols: Symbols::Unicode,
        }
    }
}

impl Theme {
    /// From the config's `theme` and `symbols`, and the environment's `NO_COLOR`.
    pub fn from_config(theme: Option<&str>, symbols: Option<&str>, no_color: bool) -> Theme {
        let palette = if no_color {
            Palette::Mono
        } else if theme == Some("light") {
            Palette::Light
        } else {
            Palette::Dark
        };
        let symbols = if symbols == Some("ascii") {
            Symbols::Ascii
        } else {
            Symbols::Unicode
        };
        Theme { palette, symbols }
    }

    fn fg(&self, dark: Color, light: Color) -> Style {
        match self.palette {
            Palette::Dark => Style::new().fg(dark),
            Palette::Light => Style::new().fg(light),
            Palette::Mono => Style::new(),
        }
    }

    pub fn text(&self) -> Style {
        self.fg(Color::White, Color::Black)
    }

    /// Secondary text: still readable from the back of the room (no dark grey).
    pub fn dim(&self) -> Style {
        self.fg(Color::Gray, Color::DarkGray)
    }

    pub fn title(&self) -> Style {
        self.fg(Color::LightCyan, Color::Blue)
            .add_modifier(Modifier::BOLD)
    }

    pub fn heading(&self) -> Style {
        self.fg(Color::White, Color::Black)
            .add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::LightYellow, Color::Blue)
            .add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        match self.palette {
            Palette::Dark => Style::new().fg(Color::Black).bg(Color::LightCyan),
            Palette::Light => Style::new().fg(Color::White).bg(Color::Blue),
            Palette::Mono => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::LightGreen, Color::Green)
            .add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::LightYellow, Color::Rgb(160, 90, 0))
            .add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::LightRed, Color::Red)
            .add_modifier(Modifier::BOLD)
    }

    /// Level colours chosen to stay distinct for red-green colour blindness (red, amber,
    /// blue), always beside the symbol and the words.
    pub fn level(&self, level: Option<RiskLevel>) -> Style {
        let s = match level {
            Some(RiskLevel::L1) => self.fg(Color::LightRed, Color::Red),
            Some(RiskLevel::L2) => self.fg(Color::Yellow, Color::Rgb(160, 90, 0)),
            Some(RiskLevel::L3) => self.fg(Color::LightBlue, Color::Blue),
            None => self.dim(),
        };
        s.add_modifier(Modifier::BOLD)
    }

    /// `▲` / `■` / `●` (ASCII: `!!!` / `!!` / `!`), `-` for no level.
    pub fn level_symbol(&self, level: Option<RiskLevel>) -> &'static str {
        match (self.symbols, level) {
            (Symbols::Unicode, Some(RiskLevel::L1)) => "▲",
            (Symbols::Unicode, Some(RiskLevel::L2)) => "■",
            (Symbols::Unicode, Some(RiskLevel::L3)) => "●",
            (Symbols::Ascii, Some(RiskLevel::L1)) => "!!!",
            (Symbols::Ascii, Some(RiskLevel::L2)) => "!!",
            (Symbols::Ascii, Some(RiskLevel::L3)) => "!",
            (_, None) => "-",
        }
    }

    pub fn border(&self) -> border::Set<'static> {
        match self.symbols {
            Symbols::Unicode => border::PLAIN,
            Symbols::Ascii => border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            },
        }
    }

    pub fn rule(&self) -> &'static str {
        match self.symbols {
            Symbols::Unicode => "─",
            Symbols::Ascii => "-",
        }
    }

    pub fn ellipsis(&self) -> &'static str {
        match self.symbols {
            Symbols::Unicode => "…",
            Symbols::Ascii => "...",
        }
    }

    /// Checkbox marks for met / not met / unknown / unanswered.
    pub fn mark(&self, answer: Option<crate::domain::assessment::Answer>) -> &'static str {
        use crate::domain::assessment::Answer::*;
        match (self.symbols, answer) {
            (Symbols::Unicode, Some(Met)) => "☑",
            (Symbols::Unicode, Some(NotMet)) => "☒",
            (Symbols::Unicode, Some(Unknown)) => "?",
            (Symbols::Unicode, None) => "☐",
            (Symbols::Ascii, Some(Met)) => "[x]",
            (Symbols::Ascii, Some(NotMet)) => "[-]",
            (Symbols::Ascii, Some(Unknown)) => "[?]",
            (Symbols::Ascii, None) => "[ ]",
        }
    }

    pub fn check(&self, on: bool) -> &'static str {
        match (self.symbols, on) {
            (Symbols::Unicode, true) => "☑",
            (Symbols::Unicode, false) => "☐",
            (Symbols::Ascii, true) => "[x]",
            (Symbols::Ascii, false) => "[ ]",
        }
    }

    pub fn tick(&self, ok: bool) -> &'static str {
        match (self.symbols, ok) {
            (Symbols::Unicode, true) => "✓",
            (Symbols::Unicode, false) => "✗",
            (Symbols::Ascii, true) => "OK",
            (Symbols::Ascii, false) => "NO",
        }
    }

    pub fn cursor(&self) -> &'static str {
        match self.symbols {
            Symbols::Unicode => "▶",
            Symbols::Ascii => ">",
        }
    }

    pub fn bar(&self) -> &'static str {
        match self.symbols {
            Symbols::Unicode => "█",
            Symbols::Ascii => "#",
        }
    }

    pub fn arrow(&self) -> &'static str {
        match self.symbols {
            Symbols::Unicode => "→",
            Symbols::Ascii => "->",
        }
    }
}
