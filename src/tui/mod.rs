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
pub mod autosave;
pub mod crash;
pub mod env;
pub mod keymap;
pub mod lock;
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
    let root = screens::dashboard::Dashboard::open(&mut env)?;
    let drafts = screens::drafts::Drafts::any(&env)
        .then(|| screens::drafts::Drafts::open(&env))
        .transpose()?;
    let mut app = app::App::new(env, Box::new(root));
    if let Some(d) = drafts {
        app.push(Box::new(d));
    }
    // Without a configured operator, the first thing asked is who is working (before any
    // draft is taken back, so the audit trail names them). The demo does not ask: its
    // changes are recorded under the computer's user name.
    if ctx.operator.is_none() && !app.env.demo {
        let prompt = screens::operator::OperatorPrompt::new(&app.env);
        app.push(Box::new(prompt));
    }

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Failure(format!("cannot watch for signals: {e}")))?;
    }
    // Without a terminal (output redirected, run in the background) there is nothing to
    // draw on: say so, rather than fail inside the terminal's set-up.
    {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
            return Err(Failure(
                crate::i18n::t(ctx.lang, "tui.no_terminal").to_string(),
            ));
        }
    }
    watch_for_hangup(Arc::clone(&stop));
    let mut terminal = ratatui::try_init().map_err(|e| {
        Failure(format!(
            "{}: {e}",
            crate::i18n::t(ctx.lang, "tui.no_terminal")
        ))
    })?;
    // Replaces ratatui's hook (which would print the panic message, and a message can hold
    // case content): restore the terminal, write a report without case content.
    crash::install(crash::dir(&ctx.paths.data_dir), restore_terminal);
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, &mut app, &stop);
    // Asked to stop (a signal, the terminal closed) while typing: keep the text.
    app.autosave_now();
    restore_terminal();
    result
}

/// The watchdog. If the terminal hangs up while the event loop is inside crossterm's poll,
/// the poll never returns; and a signal to stop only sets a flag the loop checks. So when
/// the terminal is gone, or a stop was asked for, and the loop has not finished two seconds
/// later, the process exits here. Every change was already committed in its own
/// transaction; at most the last two seconds of typing are lost, as with a kill.
fn watch_for_hangup(stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            if terminal_gone() {
                stop.store(true, Ordering::Relaxed);
            }
            if stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(2));
                restore_terminal();
                std::process::exit(0);
            }
        }
    });
}

/// Whether the terminal hung up: standard input reports a hang-up or an error.
fn terminal_gone() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::empty())];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&now)) {
        Ok(n) if n > 0 => fds[0]
            .revents()
            .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL),
        _ => false,
    }
}

/// Puts the terminal back as it was: bracketed paste off, raw mode off, main screen.
fn restore_terminal() {
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
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
        // A hung-up terminal (the window was closed) reads as "ready" with nothing to read,
        // and crossterm's poll spins on it: check before every poll, and stop (keeping
        // typed text). A hang-up during a poll is the watchdog's (see `run`).
        if terminal_gone() {
            break;
        }
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
