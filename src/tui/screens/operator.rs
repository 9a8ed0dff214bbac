//! Who is working? Asked once at start, before the dashboard, when neither `--operator`,
//! `CASEPANEL_OPERATOR` nor the config's `operator` names anyone. The name goes into the
//! audit record of every change made in this run (source `prompt`).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::store::audit::{Operator, OperatorError, OperatorSource};
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Outcome, View};
use crate::tui::widgets::form::{Form, FormKey};

pub struct OperatorPrompt {
    form: Form,
}

impl OperatorPrompt {
    pub fn new(env: &Env) -> OperatorPrompt {
        OperatorPrompt {
            form: Form::new(env.t("operator.title"))
                .line(env.t("operator.label"), "")
                .hint(env.t("operator.hint")),
        }
    }

    fn submit(&mut self, env: &mut Env) -> Outcome {
        let typed = self.form.value(0);
        match Operator::new(&typed, OperatorSource::Prompt) {
            Err(e) => {
                self.form.error = Some(match e {
                    OperatorError::Empty => env.t("operator.empty").to_string(),
                    OperatorError::TooLong { max } => {
                        env.tf("operator.too_long", &[("max", &max.to_string())])
                    }
                });
                Outcome::Done
            }
            Ok(op) => {
                env.store.set_operator(op);
                // The dashboard (or the drafts left by a crash) is underneath.
                Outcome::Pop
            }
        }
    }
}

impl View for OperatorPrompt {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Input]
    }

    fn title(&self, env: &Env) -> String {
        env.t("operator.title").to_string()
    }

    fn editing(&self) -> bool {
        true
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        match action {
            Action::Save => self.submit(env),
            // Nothing opens without a name; Ctrl-C leaves.
            _ => Outcome::Done,
        }
    }

    fn key(&mut self, env: &mut Env, key: KeyEvent) -> Outcome {
        match self.form.key(key) {
            FormKey::Submit => self.submit(env),
            FormKey::Handled => Outcome::Done,
        }
    }

    fn paste(&mut self, _env: &mut Env, text: &str) -> Outcome {
        self.form.paste(text);
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        self.form.render(env, frame, area);
    }
}
