//! The application: a stack of screens, the overlays (help, command palette, blank
//! screen), and the chrome around them (title bar, status bar). Keys become actions through
//! the keymap; the current screen acts on them; the app handles what no screen claims.

use crossterm::event::{KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::action::Action;
use super::env::Env;
use super::keymap::Ctx;
use super::view::{Flash, FlashKind, Outcome, View};
use super::widgets::input::TextInput;
use crate::text;

/// The smallest terminal the layout is designed for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

enum Overlay {
    Help {
        scroll: u16,
    },
    Palette {
        input: Box<TextInput>,
        selected: usize,
    },
}

pub struct App {
    pub env: Env,
    stack: Vec<Box<dyn View>>,
    overlay: Option<Overlay>,
    blank: bool,
    flash: Option<Flash>,
    pub quit: bool,
    /// When text was last typed into an editing screen and not yet autosaved.
    typed_at: Option<std::time::Instant>,
    autosaved_at: std::time::Instant,
    /// The idle lock, while the screen is locked.
    lock: Option<super::lock::Lock>,
    last_input: std::time::Instant,
}

impl App {
    pub fn new(env: Env, root: Box<dyn View>) -> App {
        App {
            env,
            stack: vec![root],
            overlay: None,
            blank: false,
            flash: None,
            quit: false,
            typed_at: None,
            autosaved_at: std::time::Instant::now(),
            lock: None,
            last_input: std::time::Instant::now(),
        }
    }

    /// Locks the screen now (as the idle lock does), keeping typed text first.
    pub fn lock_now(&mut self) {
        self.autosave_now();
        self.lock = Some(super::lock::Lock::new(&self.env.config.lock));
    }

    pub fn locked(&self) -> bool {
        self.lock.is_some()
    }

    /// Autosaves the text being typed now, whatever the timing (on a tick when due, when
    /// the program is asked to stop, and in tests).
    pub fn autosave_now(&mut self) {
        self.typed_at = None;
        self.autosaved_at = std::time::Instant::now();
        let env = &mut self.env;
        let outcome = self.stack.last_mut().expect("never empty").autosave(env);
        self.apply(outcome);
    }

    /// Opens `view` on top of the current screen, as a key that pushes a screen does.
    pub fn push(&mut self, view: Box<dyn View>) {
        self.stack.push(view);
    }

    fn top(&mut self) -> &mut Box<dyn View> {
        self.stack.last_mut().expect("the stack is never empty")
    }

    /// The contexts the keymap resolves in now, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.overlay {
            Some(Overlay::Help { .. }) => vec![Ctx::Help, Ctx::Global],
            Some(Overlay::Palette { .. }) => vec![Ctx::Input],
            None => {
                let top = self.stack.last().expect("never empty");
                if top.editing() {
                    vec![Ctx::Input]
                } else {
                    let mut c = top.contexts();
                    c.push(Ctx::Global);
                    c
                }
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.last_input = std::time::Instant::now();
        if let Some(lock) = &mut self.lock {
            if lock.key(&self.env, key) {
                self.lock = None;
            }
            return;
        }
        let was_revealed = self.env.reveal;
        self.env.reveal = false;
        if self.stack.last().is_some_and(|v| v.editing()) {
            self.typed_at = Some(std::time::Instant::now());
        }
        let global = self.env.keymap.resolve(&[Ctx::Global], &key);
        // The blank screen hides everything until its own key is pressed again.
        if self.blank {
            if global == Some(Action::Blank) {
                self.blank = false;
            }
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            match global {
                Some(Action::Blank) => {
                    self.blank = true;
                    return;
                }
                Some(Action::Privacy) => {
                    self.toggle_privacy();
                    return;
                }
                _ => {}
            }
        }
        if self.overlay.is_some() {
            self.overlay_key(key);
            return;
        }
        let contexts = self.contexts();
        let action = self.env.keymap.resolve(&contexts, &key);
        let top_editing = self.stack.last().is_some_and(|v| v.editing());
        if top_editing {
            let outcome = match action {
                Some(a) => {
                    let env = &mut self.env;
                    self.stack.last_mut().expect("never empty").update(env, a)
                }
                None if global == Some(Action::Quit)
                    && key.modifiers.contains(KeyModifiers::CONTROL) =>
                {
                    self.quit = true;
                    return;
                }
                None => {
                    let env = &mut self.env;
                    self.stack.last_mut().expect("never empty").key(env, key)
                }
            };
            self.apply(outcome);
            return;
        }
        if let Some(a) = action {
            if a == Action::Reveal {
                self.env.reveal = !was_revealed;
                return;
            }
            self.dispatch(a);
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        self.last_input = std::time::Instant::now();
        if let Some(lock) = &mut self.lock {
            lock.paste(text);
            return;
        }
        if self.blank {
            return;
        }
        if let Some(Overlay::Palette { input, .. }) = &mut self.overlay {
            input.paste(text);
            return;
        }
        if self.stack.last().is_some_and(|v| v.editing()) {
            self.typed_at = Some(std::time::Instant::now());
            let env = &mut self.env;
            let outcome = self.stack.last_mut().expect("never empty").paste(env, text);
            self.apply(outcome);
        }
    }

    pub fn on_tick(&mut self) {
        let env = &mut self.env;
        self.stack.last_mut().expect("never empty").tick(env);
        let now = std::time::Instant::now();
        if super::autosave::due(self.typed_at, self.autosaved_at, now) {
            self.autosave_now();
        }
        if self.lock.is_none() && super::lock::due(&self.env.config.lock, self.last_input, now) {
            self.lock_now();
        }
    }

    /// Runs an action: the screen first, then its global meaning.
    pub fn dispatch(&mut self, action: Action) {
        let env = &mut self.env;
        let outcome = self
            .stack
            .last_mut()
            .expect("never empty")
            .update(env, action);
        match outcome {
            Outcome::Ignored => self.global(action),
            other => self.apply(other),
        }
    }

    fn global(&mut self, action: Action) {
        match action {
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Palette => {
                self.overlay = Some(Overlay::Palette {
                    input: Box::new(TextInput::single_line("")),
                    selected: 0,
                })
            }
            Action::Blank => self.blank = true,
            Action::Privacy => self.toggle_privacy(),
            Action::Back | Action::Quit => {
                if self.stack.len() > 1 {
                    self.pop();
                } else if action == Action::Quit {
                    self.quit = true;
                }
            }
            _ => {}
        }
    }

    fn toggle_privacy(&mut self) {
        self.env.privacy = !self.env.privacy;
        let key = if self.env.privacy {
            "privacy.now_on"
        } else {
            "privacy.now_off"
        };
        self.flash = Some(Flash {
            text: self.env.t(key).to_string(),
            kind: FlashKind::Info,
        });
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            let env = &mut self.env;
            self.stack.last_mut().expect("never empty").refresh(env);
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Done | Outcome::Ignored => {}
            Outcome::Push(v) => {
                self.flash = None;
                self.stack.push(v)
            }
            Outcome::Pop => {
                self.flash = None;
                self.pop()
            }
            Outcome::Replace(v) => {
                self.flash = None;
                *self.top() = v
            }
            Outcome::Flash(f) => self.flash = Some(f),
        }
    }

    /// The palette's entries for the screen under it: every action that applies there.
    fn palette_entries(&self) -> Vec<(Action, String, String)> {
        let top = self.stack.last().expect("never empty");
        let mut contexts = top.contexts();
        contexts.push(Ctx::Global);
        let filter = match &self.overlay {
            Some(Overlay::Palette { input, .. }) => input.text().to_lowercase(),
            _ => String::new(),
        };
        self.env
            .keymap
            .active(&contexts)
            .into_iter()
            .filter(|b| !matches!(b.action, Action::Palette | Action::Reveal))
            .map(|b| {
                let keys = b
                    .keys
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                (
                    b.action,
                    self.env
                        .t(&format!("action.{}", b.action.code()))
                        .to_string(),
                    keys,
                )
            })
            .filter(|(a, label, _)| {
                filter.is_empty()
                    || label.to_lowercase().contains(&filter)
                    || a.code().contains(&filter)
            })
            .collect()
    }

    fn overlay_key(&mut self, key: KeyEvent) {
        let contexts = self.contexts();
        let action = self.env.keymap.resolve(&contexts, &key);
        match &mut self.overlay {
            Some(Overlay::Help { scroll }) => match action {
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Back | Action::Help | Action::Quit) => self.overlay = None,
                _ => {}
            },
            Some(Overlay::Palette { .. }) => {
                use crossterm::event::KeyCode;
                let entries = self.palette_entries();
                let Some(Overlay::Palette { input, selected }) = &mut self.overlay else {
                    return;
                };
                match (action, key.code) {
                    (Some(Action::Back), _) => self.overlay = None,
                    (_, KeyCode::Up) => *selected = selected.saturating_sub(1),
                    (_, KeyCode::Down) => {
                        *selected = (*selected + 1).min(entries.len().saturating_sub(1))
                    }
                    (_, KeyCode::Enter) => {
                        let chosen = entries.get(*selected).map(|e| e.0);
                        self.overlay = None;
                        if let Some(a) = chosen {
                            self.dispatch(a);
                        }
                    }
                    _ => {
                        input.key(key);
                        *selected = 0;
                    }
                }
            }
            None => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame<'_>) {
        let area = frame.area();
        if let Some(lock) = &mut self.lock {
            lock.render(&self.env, frame);
            return;
        }
        if self.blank {
            frame.render_widget(Clear, area);
            return;
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.render_too_small(frame, area);
            return;
        }
        let [title, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_title(frame, title);
        {
            let env = &self.env;
            self.stack
                .last_mut()
                .expect("never empty")
                .render(env, frame, body);
        }
        self.render_status(frame, status);
        match &self.overlay {
            Some(Overlay::Help { .. }) => self.render_help(frame, body),
            Some(Overlay::Palette { .. }) => self.render_palette(frame, body),
            None => {}
        }
    }

    fn render_too_small(&self, frame: &mut Frame<'_>, area: Rect) {
        let msg = self.env.tf(
            "app.too_small",
            &[
                ("need", &format!("{MIN_WIDTH}×{MIN_HEIGHT}")),
                ("have", &format!("{}×{}", area.width, area.height)),
            ],
        );
        let lines: Vec<Line<'_>> = text::wrap(&msg, usize::from(area.width.max(2)))
            .into_iter()
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(lines).style(self.env.theme.warn()), area);
    }

    fn render_title(&self, frame: &mut Frame<'_>, area: Rect) {
        let env = &self.env;
        let th = &env.theme;
        let top = self.stack.last().expect("never empty");
        let mut right: Vec<Span<'_>> = Vec::new();
        if env.demo {
            right.push(Span::styled(format!("{}  ", env.t("app.demo")), th.warn()));
        }
        if top.shows_date() {
            right.push(Span::styled(env.date_with_weekday(env.today()), th.text()));
            right.push(Span::raw("   "));
        }
        let privacy = if env.privacy {
            env.t("privacy.on")
        } else {
            env.t("privacy.off")
        };
        right.push(Span::styled(
            privacy.to_string(),
            if env.privacy { th.ok() } else { th.warn() },
        ));
        right.push(Span::raw(" "));
        let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum();
        let left_text = format!(" casepanel · {}", text::sanitize_line(&top.title(env)));
        let left_w = usize::from(area.width).saturating_sub(right_w + 1);
        let left = text::truncate_with(&left_text, left_w, th.ellipsis());
        let pad = usize::from(area.width).saturating_sub(text::width(&left) + right_w);
        let mut spans = vec![Span::styled(left, th.title()), Span::raw(" ".repeat(pad))];
        spans.extend(right);
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_status(&self, frame: &mut Frame<'_>, area: Rect) {
        let env = &self.env;
        let th = &env.theme;
        if let Some(f) = &self.flash {
            let style = match f.kind {
                FlashKind::Info => th.text(),
                FlashKind::Ok => th.ok(),
                FlashKind::Error => th.error(),
            };
            let t = text::truncate_with(
                &format!(" {}", text::sanitize_line(&f.text)),
                usize::from(area.width),
                th.ellipsis(),
            );
            frame.render_widget(Paragraph::new(Span::styled(t, style)), area);
            return;
        }
        let contexts = self.contexts();
        let mut spans: Vec<Span<'_>> = vec![Span::raw(" ")];
        let mut used = 1usize;
        for b in env.keymap.active(&contexts).into_iter().filter(|b| b.hint) {
            // Up stands for moving both ways: "↑↓ 移动".
            let (key, label) = if b.action == Action::Up {
                let down = env
                    .keymap
                    .keys_for(&contexts, Action::Down)
                    .map(|k| k.to_string())
                    .unwrap_or_default();
                (
                    format!(
                        "{}{down}",
                        b.keys.first().map(|k| k.to_string()).unwrap_or_default()
                    ),
                    env.t("action.move"),
                )
            } else {
                (
                    b.keys.first().map(|k| k.to_string()).unwrap_or_default(),
                    env.t(&format!("action.{}", b.action.code())),
                )
            };
            let w = text::width(&key) + 1 + text::width(label) + 3;
            if used + w > usize::from(area.width) {
                break;
            }
            used += w;
            spans.push(Span::styled(key, th.key()));
            spans.push(Span::styled(format!(" {label}   "), th.text()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn popup(area: Rect, w: u16, h: u16) -> Rect {
        let w = w.min(area.width);
        let h = h.min(area.height);
        Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        }
    }

    fn render_help(&self, frame: &mut Frame<'_>, body: Rect) {
        let env = &self.env;
        let th = &env.theme;
        let Some(Overlay::Help { scroll }) = &self.overlay else {
            return;
        };
        let top = self.stack.last().expect("never empty");
        let mut contexts = if top.editing() {
            vec![Ctx::Input]
        } else {
            top.contexts()
        };
        contexts.push(Ctx::Global);
        let mut lines: Vec<Line<'_>> = Vec::new();
        for ctx in &contexts {
            let bindings: Vec<_> = env.keymap.active(&[*ctx]);
            if bindings.is_empty() {
                continue;
            }
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                env.t(&format!("ctx.{}", ctx.code())).to_string(),
                th.heading(),
            ));
            for b in bindings {
                let keys = b
                    .keys
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" / ");
                lines.push(Line::from(vec![
                    Span::styled(format!("  {}", text::pad(&keys, 22)), th.key()),
                    Span::styled(
                        env.t(&format!("action.{}", b.action.code())).to_string(),
                        th.text(),
                    ),
                ]));
            }
        }
        let area = App::popup(body, 72, body.height.saturating_sub(2));
        crate::tui::widgets::clear_popup(frame, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(th.border())
            .title(Span::styled(
                format!(" {} ", env.t("help.title")),
                th.title(),
            ))
            .title_bottom(Span::styled(format!(" {} ", env.t("help.close")), th.dim()));
        frame.render_widget(
            Paragraph::new(lines).block(block).scroll((*scroll, 0)),
            area,
        );
    }

    fn render_palette(&mut self, frame: &mut Frame<'_>, body: Rect) {
        let entries = self.palette_entries();
        let th = self.env.theme;
        let title = format!(" {} ", self.env.t("palette.title"));
        let Some(Overlay::Palette { input, selected }) = &mut self.overlay else {
            return;
        };
        let area = App::popup(body, 60, (entries.len() as u16 + 4).min(body.height));
        crate::tui::widgets::clear_popup(frame, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(th.border())
            .title(Span::styled(title, th.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [field, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let mut lines = Vec::new();
        for (i, (_, label, keys)) in entries.iter().enumerate() {
            let style = if i == *selected {
                th.selected()
            } else {
                th.text()
            };
            let w = usize::from(list.width).saturating_sub(text::width(keys) + 1);
            lines.push(Line::from(vec![
                Span::styled(text::pad(label, w), style),
                Span::styled(format!(" {keys}"), th.key()),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), list);
        input.render(frame, field, None, Style::default());
    }
}
