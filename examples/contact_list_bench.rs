//! How fast the contact list takes in presence and draws, with 5,000
//! contacts (issue item 10: "all shown in under 1 s, frames under 16 ms").
//!
//! ```sh
//! cargo run --release --example contact_list_bench [-- --seconds 10 --rate 100 --batch-ms 50]
//! ```
//!
//! 1. The pure model, `ContactList`: `set_contacts` with 5,000 contacts, then
//!    one batch of 5,000 presence updates (`apply`) and `visible_rows("")`;
//!    also `visible_rows` alone, because the window recomputes all rows
//!    after every presence event.
//! 2. The main window (`App`, fed engine events as the real window is) with
//!    5,000 contacts: its first frame = view + layout + draw + rasterise, on
//!    tiny-skia, 420x720 logical pixels (scale 1).
//! 3. `--seconds` (10) of `--rate` (100) random status changes per second,
//!    delivered as the engine does: one `presence` event per `--batch-ms`
//!    (50) window, so 5 updates per event. Each event is one frame: apply the
//!    event + view + layout + draw + rasterise. Paced in real time. Reports
//!    median, p95 and max, and the same per phase.
//!
//! A frame here is drawn in full (the headless renderer has no damage
//! tracking), which is what a window does after a change anyway, and the
//! pixels are read back as a screenshot; the real window's compositor
//! presents the same tiny-skia pixmap instead.

use std::time::{Duration, Instant};

use hark::engine::{
    Capabilities, Contact, ContactAvailability, EngineHandle, Event, PresenceUpdate,
    RegistrationState,
};
use hark::i18n::{I18n, Language};
use hark::sip::subscription::SubscriptionState;
use hark::ui::contact_list::ContactList;
use hark::ui::{App, Message};
use iced_test::core::renderer::Headless;
use iced_test::core::{clipboard, mouse, window, Font, Pixels, Size, Theme};
use iced_test::runtime::user_interface::{self, UserInterface};

const ACCOUNT: &str = "sip:watcher@hark.test";
const CONTACTS: usize = 5000;
const GROUPS: usize = 12;
const WIDTH: f32 = 420.0;
const HEIGHT: f32 = 720.0;
const STATES: [ContactAvailability; 7] = [
    ContactAvailability::Available,
    ContactAvailability::Away,
    ContactAvailability::Busy,
    ContactAvailability::OnThePhone,
    ContactAvailability::InAMeeting,
    ContactAvailability::DoNotDisturb,
    ContactAvailability::Offline,
];

struct Args {
    seconds: f64,
    rate: f64,
    batch_ms: u64,
    scale: f32,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 10.0,
        rate: 100.0,
        batch_ms: 50,
        scale: 1.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => a.seconds = value().parse().expect("--seconds N"),
            "--rate" => a.rate = value().parse().expect("--rate N"),
            "--batch-ms" => a.batch_ms = value().parse().expect("--batch-ms N"),
            "--scale" => a.scale = value().parse().expect("--scale F"),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn uri(i: usize) -> String {
    format!("sip:user{i:04}@hark.test")
}

fn contacts() -> Vec<Contact> {
    (0..CONTACTS)
        .map(|i| Contact {
            uri: uri(i),
            name: Some(format!("Colleague {i:04}")),
            group: Some(format!("Department {:02}", i % GROUPS)),
        })
        .collect()
}

fn update(rng: &mut Rng, i: usize) -> PresenceUpdate {
    let availability = STATES[rng.below(STATES.len())];
    let online = availability != ContactAvailability::Offline;
    PresenceUpdate {
        contact: uri(i),
        availability,
        note: (rng.below(4) == 0).then(|| format!("Note {}", rng.below(1000))),
        activities: vec![],
        capabilities: Capabilities {
            voice: online,
            video: online,
            im: online,
            email: true,
        },
        subscription: SubscriptionState::Active,
        line: None,
    }
}

fn all_updates(rng: &mut Rng) -> Vec<PresenceUpdate> {
    (0..CONTACTS).map(|i| update(rng, i)).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The best of `n` runs of `f` (after one warm-up), and the median.
fn best_and_median<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    std::hint::black_box(f());
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            ms(t.elapsed())
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}

fn model(rng: &mut Rng) {
    println!("== ContactList (pure model), {CONTACTS} contacts in {GROUPS} groups ==");
    let list_contacts = contacts();
    let (best, median) = best_and_median(10, || {
        let mut list = ContactList::new();
        list.set_contacts(ACCOUNT, list_contacts.clone());
        list
    });
    println!("set_contacts(5000):                       median {median:7.2} ms  (best {best:.2})");

    let mut base = ContactList::new();
    base.set_contacts(ACCOUNT, list_contacts.clone());
    let batches: Vec<Vec<PresenceUpdate>> = (0..11).map(|_| all_updates(rng)).collect();
    let mut times = Vec::new();
    let mut rows_times = Vec::new();
    for (round, batch) in batches.iter().enumerate() {
        let mut list = base.clone();
        let t = Instant::now();
        list.apply(ACCOUNT, batch);
        let applied = t.elapsed();
        let rows = list.visible_rows("");
        let total = t.elapsed();
        assert_eq!(rows.len(), CONTACTS + GROUPS);
        if round > 0 {
            times.push(ms(total));
            rows_times.push(ms(total - applied));
        }
    }
    times.sort_by(f64::total_cmp);
    rows_times.sort_by(f64::total_cmp);
    println!(
        "apply(5000 updates) + visible_rows(\"\"):   median {:7.2} ms  (best {:.2}; of which visible_rows median {:.2})",
        times[times.len() / 2],
        times[0],
        rows_times[rows_times.len() / 2]
    );

    // The same 5,000 updates as the engine delivers them at start: one
    // event per 50 ms window, each followed by a full visible_rows (what
    // Contacts::refresh does). 100 events of 50 is a plausible split.
    for per_event in [50usize, 500] {
        let mut list = base.clone();
        let t = Instant::now();
        for chunk in batches[0].chunks(per_event) {
            list.apply(ACCOUNT, chunk);
            std::hint::black_box(list.visible_rows(""));
        }
        println!(
            "5000 updates as {:4} events of {per_event:3}, visible_rows after each: {:7.2} ms",
            CONTACTS / per_event,
            ms(t.elapsed())
        );
    }

    let mut list = base.clone();
    list.apply(ACCOUNT, &batches[0]);
    let (best, median) = best_and_median(20, || list.visible_rows(""));
    println!(
        "visible_rows(\"\") alone:                   median {median:7.2} ms  (best {best:.2})"
    );
    let (best, median) = best_and_median(20, || list.visible_rows("colleague 12"));
    println!(
        "visible_rows(\"colleague 12\") (filter):    median {median:7.2} ms  (best {best:.2})"
    );
    let five: Vec<PresenceUpdate> = (0..5)
        .map(|_| {
            let i = rng.below(CONTACTS);
            update(rng, i)
        })
        .collect();
    let (best, median) = best_and_median(50, || {
        list.apply(ACCOUNT, &five);
    });
    println!("apply(5 updates) alone:                   median {median:7.3} ms  (best {best:.3})");
}

/// One frame of the main window: view + layout + draw + rasterise.
struct Frame {
    view: f64,
    layout: f64,
    draw: f64,
    raster: f64,
}

struct Window {
    renderer: iced::Renderer,
    cache: user_interface::Cache,
    theme: Theme,
    size: Size,
    scale: f32,
    messages: Vec<Message>,
}

impl Window {
    fn frame(&mut self, app: &App) -> Frame {
        let t0 = Instant::now();
        let view = app.view(app.main_window());
        let t1 = Instant::now();
        let cache = std::mem::take(&mut self.cache);
        let mut ui = UserInterface::build(view, self.size, cache, &mut self.renderer);
        let t2 = Instant::now();
        let cursor = mouse::Cursor::Unavailable;
        let _ = ui.update(
            &[iced::Event::Window(window::Event::RedrawRequested(
                Instant::now(),
            ))],
            cursor,
            &mut self.renderer,
            &mut clipboard::Null,
            &mut self.messages,
        );
        let base = iced::theme::Base::base(&self.theme);
        ui.draw(
            &mut self.renderer,
            &self.theme,
            &iced_test::core::renderer::Style {
                text_color: base.text_color,
            },
            cursor,
        );
        self.cache = ui.into_cache();
        let t3 = Instant::now();
        let physical = Size::new(
            (self.size.width * self.scale).round() as u32,
            (self.size.height * self.scale).round() as u32,
        );
        let pixels = iced_test::core::renderer::Headless::screenshot(
            &mut self.renderer,
            physical,
            self.scale,
            base.background_color,
        );
        std::hint::black_box(pixels);
        let t4 = Instant::now();
        Frame {
            view: ms(t1 - t0),
            layout: ms(t2 - t1),
            draw: ms(t3 - t2),
            raster: ms(t4 - t3),
        }
    }

    /// Hands the messages the last frame produced (e.g. the list's
    /// viewport) to the app, as the runtime does.
    fn deliver(&mut self, app: &mut App) {
        for m in std::mem::take(&mut self.messages) {
            let _ = app.update(m);
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn stats(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    println!(
        "  {name:<28} median {:7.2} ms   p95 {:7.2} ms   max {:7.2} ms",
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        v[v.len() - 1]
    );
}

fn window(args: &Args, rng: &mut Rng) {
    println!(
        "\n== Main window (App), tiny-skia, {WIDTH}x{HEIGHT} at scale {} ==",
        args.scale
    );
    let rss0 = rss_mib();
    let (engine, _commands, _events) = EngineHandle::channel();
    let (mut app, _open) = App::new(engine, I18n::for_language(Language::EnUs));
    let _ = app.update(Message::EngineConnected);
    for event in [
        Event::Started {
            accounts: vec![ACCOUNT.into()],
        },
        Event::AccountState {
            account: ACCOUNT.into(),
            state: RegistrationState::Registered { expires: 600 },
        },
    ] {
        let _ = app.update(Message::Engine(event));
    }

    let t = Instant::now();
    let renderer = futures::executor::block_on(<iced::Renderer as Headless>::new(
        Font::DEFAULT,
        Pixels(16.0),
        Some("tiny-skia"),
    ))
    .expect("tiny-skia renderer");
    println!(
        "renderer created (once per process):      {:7.2} ms",
        ms(t.elapsed())
    );
    let mut w = Window {
        renderer,
        cache: user_interface::Cache::default(),
        theme: Theme::Light,
        size: Size::new(WIDTH, HEIGHT),
        scale: args.scale,
        messages: Vec::new(),
    };
    // The window as it is before the list arrives (fonts loaded, glyphs
    // cached for the chrome), like a window that has been open a moment.
    let f = w.frame(&app);
    println!(
        "empty window, first frame:                {:7.2} ms",
        f.view + f.layout + f.draw + f.raster
    );
    w.deliver(&mut app);

    let t = Instant::now();
    let _ = app.update(Message::Engine(Event::Contacts {
        account: ACCOUNT.into(),
        contacts: contacts(),
    }));
    let contacts_ms = ms(t.elapsed());
    let t = Instant::now();
    let _ = app.update(Message::Engine(Event::Presence {
        account: ACCOUNT.into(),
        updates: all_updates(rng),
    }));
    let presence_ms = ms(t.elapsed());
    let f = w.frame(&app);
    w.deliver(&mut app);
    let frame_ms = f.view + f.layout + f.draw + f.raster;
    println!("contacts event (5000) into the app:       {contacts_ms:7.2} ms");
    println!("presence event (5000 updates) into the app: {presence_ms:5.2} ms");
    println!(
        "first frame with 5000 contacts:           {frame_ms:7.2} ms  (view {:.2}, layout {:.2}, update+draw {:.2}, rasterise {:.2})",
        f.view, f.layout, f.draw, f.raster
    );
    println!(
        "=> 5000 updates to pixels:                {:7.2} ms",
        presence_ms + frame_ms
    );
    let f = w.frame(&app);
    println!(
        "second frame, nothing changed:            {:7.2} ms",
        f.view + f.layout + f.draw + f.raster
    );
    w.deliver(&mut app);
    println!(
        "RSS of this process with the window and 5000 contacts: {:.1} MiB (before the window: {rss0:.1} MiB)",
        rss_mib()
    );

    let per_event = ((args.rate * args.batch_ms as f64 / 1000.0).round() as usize).max(1);
    let events = (args.seconds * 1000.0 / args.batch_ms as f64).round() as usize;
    println!(
        "\n== {} s of {} updates/s: {events} presence events of {per_event} (one per {} ms), one frame each ==",
        args.seconds, args.rate, args.batch_ms
    );
    let (mut total, mut apply, mut view, mut layout, mut draw, mut raster) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let period = Duration::from_millis(args.batch_ms);
    let start = Instant::now();
    for n in 0..events {
        let due = start + period * n as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let updates: Vec<PresenceUpdate> = (0..per_event)
            .map(|_| {
                let i = rng.below(CONTACTS);
                update(rng, i)
            })
            .collect();
        let t = Instant::now();
        let _ = app.update(Message::Engine(Event::Presence {
            account: ACCOUNT.into(),
            updates,
        }));
        let a = ms(t.elapsed());
        let f = w.frame(&app);
        w.deliver(&mut app);
        total.push(a + f.view + f.layout + f.draw + f.raster);
        apply.push(a);
        view.push(f.view);
        layout.push(f.layout);
        draw.push(f.draw);
        raster.push(f.raster);
    }
    let late = start.elapsed().as_secs_f64() - args.seconds;
    println!(
        "frames: {} (ran {:.2} s over the schedule)",
        total.len(),
        late.max(0.0)
    );
    stats("frame (apply..rasterise)", total);
    stats("apply event (+visible_rows)", apply);
    stats("view", view);
    stats("layout (build)", layout);
    stats("update + draw", draw);
    stats("rasterise (tiny-skia)", raster);
}

fn main() {
    let args = args();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    model(&mut rng);
    window(&args, &mut rng);
}
