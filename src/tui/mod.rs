//! The terminal interface. `run` owns the terminal: it restores it on normal exit, on
//! error, on panic and on SIGTERM/SIGHUP. Everything else is testable without a terminal:
//! [`app::App`] takes keys and draws into any ratatui backend.
//!
//! ```text
//! keys ─► keymap (contexts → Action) ─► View::update ─► store
//!                                            │
//!                         View::render ◄─────┘  (draws from state)
//! ```

pub mod action;
pub mod app;
pub mod env;
pub mod keymap;
pub mod screens;
pub mod theme;
pub mod view;
pub mod widgets;

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cli::{Context, Failure};
use crate::domain::criteria::Catalogue;
use crate::store::Store;
use env::{Clock, Env};
use keymap::Keymap;
use theme::Theme;

/// Builds the environment screens share, from the command line's context.
pub fn env(
    store: Store,
    ctx: &Context,
    catalogue: Catalogue,
    clock: Clock,
) -> Result<Env, Failure> {
    let keymap = Keymap::with_overrides(&ctx.config.keys)
        .map_err(|e| Failure(format!("{}: {e}", ctx.paths.config_file.display())))?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::from_config(
        ctx.config.theme.as_deref(),
        ctx.config.symbols.as_deref(),
        no_color,
    );
    let centre_name =
        crate::store::settings::get(store.conn(), crate::store::settings::CENTRE_NAME)?
            .or_else(|| ctx.config.centre_name.clone())
            .unwrap_or_else(|| crate::i18n::t(ctx.lang, "app.centre_default").to_string());
    let demo = crate::store::settings::get(store.conn(), crate::store::settings::DEMO)?.is_some();
    let signing = crate::export::signer::plan(
        store.conn(),
        &ctx.db,
        ctx.config.signing_key.as_deref(),
        None,
        ctx.config.centre_name.as_deref(),
    )
    .map_err(|e| e.to_string());
    Ok(Env {
        store,
        catalogue,
        lang: ctx.lang,
        clock,
        config: ctx.config.clone(),
        keymap,
        theme,
        centre_name,
        demo,
        privacy: true,
        reveal: false,
        db_path: ctx.db.clone(),
        signing,
    })
}

/// Opens the interface on `store` and runs until the user quits.
pub fn run(store: Store, ctx: &Context, catalogue: Catalogue) -> Result<(), Failure> {
    let clock = match std::env::var("CASEPANEL_TODAY") {
        Ok(_) => Clock::Fixed(crate::cli::now()),
        Err(_) => Clock::System,
    };
    let mut env = env(store, ctx, catalogue, clock)?;
    // Without a configured operator, the first screen asks who is working.
    let root: Box<dyn view::View> = if ctx.operator.is_some() {
        Box::new(screens::dashboard::Dashboard::open(&mut env)?)
    } else {
        Box::new(screens::operator::OperatorPrompt::new(&env))
    };
    let mut app = app::App::new(env, root);

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Failure(format!("cannot watch for signals: {e}")))?;
    }
    // ratatui::init installs a panic hook that restores the terminal before the panic is
    // reported; ours runs after it and adds nothing that could print case content.
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, &mut app, &stop);
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut app::App,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let tick = Duration::from_millis(250);
    let mut last_tick = Instant::now();
    while !app.quit && !stop.load(Ordering::Relaxed) {
        terminal
            .draw(|f| app.render(f))
            .map_err(|e| Failure(format!("cannot draw: {e}")))?;
        let timeout = tick.saturating_sub(last_tick.elapsed());
        if event::poll(timeout).map_err(|e| Failure(format!("cannot read keys: {e}")))? {
            match event::read().map_err(|e| Failure(format!("cannot read keys: {e}")))? {
                Event::Key(k) => app.on_key(k),
                Event::Paste(s) => app.on_paste(&s),
                Event::Resize(_, _) => {}
                _ => {}
            }
        }
        if last_tick.elapsed() >= tick {
            app.on_tick();
            last_tick = Instant::now();
        }
    }
    Ok(())
}
