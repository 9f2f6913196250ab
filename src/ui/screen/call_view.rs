//! How a call window looks: the other person (avatar, name, address, where
//! our call was forwarded to), where the call stands in words with its
//! timer (or why it ended, and the details), the connection's quality as a coloured dot and a word with the
//! figures in a tooltip and in the info panel, the controls (Mute, Hold,
//! Keypad, Transfer, Sound devices: the microphone and speaker to switch
//! to mid-call), the keypad or the transfer form
//! ([`super::call_transfer`]) in their place when asked for, and Hang up
//! (only Close once the call has ended).

use iced::widget::{button, column, container, pick_list, row, rule, text, tooltip};
use iced::{Alignment, Element, Fill, Length};

use crate::engine::{CallPhase, CallQualityView};
use crate::i18n::I18n;
use crate::ui::call::{describe, ended_normally, Call, Grade, KEYPAD};
use crate::ui::devices::{choices, chosen, AudioSetup, Slot};
use crate::ui::status::display_address;
use crate::ui::theme::{self, Dot};

use super::call_transfer::TransferCandidate;
use super::call_window::{can_hold, can_mute, can_send_keys, can_transfer, CallWindow, Message};

impl CallWindow {
    /// The whole window; `name` is the other person as the list names
    /// them, `now_ms` the clock for the timer, `others` the calls this one
    /// can be connected with, `setup` the devices to switch to.
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        call: &'a Call,
        name: &str,
        now_ms: i64,
        others: &[TransferCandidate],
        setup: &AudioSetup,
    ) -> Element<'a, Message> {
        // The keypad or the transfer form takes the controls' place, as
        // on a phone, with a button beside Hang up to go back; an ended
        // call has none of them.
        let mut body = column![].spacing(theme::SMALL_GAP * 2.0);
        let mut back = None;
        match &self.transfer {
            Some(form) if can_transfer(call) => {
                body = body.push(self.transfer_view(i18n, form, name, others));
                back = Some((i18n.tr("call-transfer-cancel"), Message::ToggleTransfer));
            }
            _ if self.keypad && !call.is_ended() => {
                body = body.push(self.keypad_view(i18n, call));
                back = Some((i18n.tr("call-keypad-hide"), Message::ToggleKeypad));
            }
            _ if !call.is_ended() => body = body.push(self.controls(i18n, call)),
            _ => {}
        }
        if self.devices && !call.is_ended() {
            body = body.push(devices_panel(i18n, setup));
        }
        if self.info {
            body = body.push(info_panel(i18n, call));
        }
        if !call.keys_received.is_empty() {
            body = body.push(
                text(i18n.tr_args(
                    "call-keys-received",
                    &[("keys", call.keys_received.clone().into())],
                ))
                .size(theme::SMALL_SIZE)
                .style(theme::muted),
            );
        }
        let body = iced::widget::scrollable(
            container(body).padding([theme::SMALL_GAP * 2.0, theme::PADDING * 0.75]),
        )
        .height(Fill);

        column![
            header(i18n, call, name, now_ms),
            rule::horizontal(1).style(rule::weak),
            body,
            rule::horizontal(1).style(rule::weak),
            container(footer(i18n, call, back)).padding([12.0, theme::PADDING * 0.75]),
        ]
        .into()
    }

    fn controls<'a>(&self, i18n: &I18n, call: &Call) -> Element<'a, Message> {
        let control = |label: String, tip: &str, on: bool, message: Option<Message>| {
            tooltip(
                button(
                    text(label)
                        .size(theme::LABEL_SIZE)
                        .align_x(Alignment::Center)
                        .align_y(Alignment::Center)
                        .width(Fill)
                        .height(Fill),
                )
                .width(Fill)
                .height(Length::Fixed(44.0))
                .padding([4, 6])
                .style(if on {
                    theme::toggled_button
                } else {
                    theme::secondary_button
                })
                .on_press_maybe(message),
                theme::tooltip_card(i18n.tr(tip)),
                tooltip::Position::Top,
            )
        };
        let view = &call.view;
        let mute = control(
            i18n.tr(if view.muted {
                "call-unmute"
            } else {
                "call-mute"
            }),
            "call-mute-tip",
            view.muted,
            can_mute(call).then_some(Message::ToggleMute),
        );
        let hold = control(
            i18n.tr(if view.on_hold {
                "call-resume"
            } else {
                "call-hold"
            }),
            "call-hold-tip",
            view.on_hold,
            can_hold(call).then_some(Message::ToggleHold),
        );
        let keypad = control(
            i18n.tr("call-keypad"),
            "call-keypad-tip",
            self.keypad,
            (!call.is_ended()).then_some(Message::ToggleKeypad),
        );
        let transfer = control(
            i18n.tr("call-transfer"),
            "call-transfer-tip",
            false,
            can_transfer(call).then_some(Message::ToggleTransfer),
        );
        let devices = tooltip(
            button(
                text(i18n.tr("call-devices"))
                    .size(theme::SMALL_SIZE)
                    .align_x(Alignment::Center)
                    .width(Fill),
            )
            .width(Fill)
            .padding([5, 6])
            .style(if self.devices {
                theme::toggled_button
            } else {
                theme::flat_button
            })
            .on_press(Message::ToggleDevices),
            theme::tooltip_card(i18n.tr("call-devices-tip")),
            tooltip::Position::Top,
        );
        column![
            row![mute, hold].spacing(theme::SMALL_GAP),
            row![keypad, transfer].spacing(theme::SMALL_GAP),
            devices,
        ]
        .spacing(theme::SMALL_GAP)
        .into()
    }

    fn keypad_view<'a>(&self, i18n: &I18n, call: &Call) -> Element<'a, Message> {
        let enabled = can_send_keys(call);
        let mut grid = column![].spacing(theme::SMALL_GAP);
        for keys in KEYPAD.chunks(3) {
            let mut line = row![].spacing(theme::SMALL_GAP);
            for &key in keys {
                line = line.push(
                    button(
                        text(key.to_string())
                            .size(theme::TITLE_SIZE - 4.0)
                            .align_x(Alignment::Center)
                            .align_y(Alignment::Center)
                            .width(Fill)
                            .height(Fill),
                    )
                    .width(Fill)
                    .height(Length::Fixed(44.0))
                    .style(theme::secondary_button)
                    .on_press_maybe(enabled.then_some(Message::Key(key))),
                );
            }
            grid = grid.push(line);
        }
        let sent = if call.keys_sent.is_empty() {
            text(i18n.tr("call-keypad-hint"))
                .size(theme::SMALL_SIZE)
                .style(theme::muted)
        } else {
            text(call.keys_sent.clone())
                .size(theme::BODY_SIZE + 3.0)
                .font(theme::BOLD)
        };
        column![container(sent).center_x(Fill).clip(true), grid]
            .spacing(theme::SMALL_GAP * 1.5)
            .into()
    }
}

/// Avatar, name, address, the phase in words with the timer, the quality.
fn header<'a>(i18n: &I18n, call: &'a Call, name: &str, now_ms: i64) -> Element<'a, Message> {
    let view = &call.view;
    let phase = describe(i18n, call, name, now_ms);
    let failed = call.is_ended() && !ended_normally(view);
    let mut phase_text = text(phase)
        .size(theme::BODY_SIZE)
        .align_x(Alignment::Center)
        .width(Fill);
    if failed {
        phase_text = phase_text.style(theme::error);
    }
    let mut lines = column![
        theme::avatar(name, 72.0, None),
        text(name.to_string())
            .size(theme::TITLE_SIZE - 4.0)
            .font(theme::BOLD)
            .align_x(Alignment::Center)
            .width(Fill),
    ]
    .spacing(theme::SMALL_GAP)
    .align_x(Alignment::Center);
    // The address, unless the name is the address.
    let address = display_address(&view.peer);
    if address != name {
        lines = lines.push(
            text(address.to_string())
                .size(theme::SMALL_SIZE)
                .style(theme::muted)
                .align_x(Alignment::Center)
                .width(Fill),
        );
    }
    if let Some(to) = &view.forwarded_to {
        lines = lines.push(
            text(i18n.tr_args(
                "call-forwarded-to",
                &[("address", display_address(to).to_string().into())],
            ))
            .size(theme::SMALL_SIZE)
            .style(theme::muted)
            .align_x(Alignment::Center)
            .width(Fill),
        );
    }
    lines = lines.push(phase_text);
    if call.is_ended() {
        if let Some(detail) = &view.detail {
            lines = lines.push(
                text(i18n.tr_args("call-end-detail", &[("detail", detail.as_str().into())]))
                    .size(theme::SMALL_SIZE)
                    .style(theme::muted)
                    .align_x(Alignment::Center)
                    .width(Fill),
            );
        }
    } else if view.phase == CallPhase::Active && (call.quality.is_some() || !view.on_hold) {
        lines = lines.push(quality_line(i18n, call));
    }
    if view.muted && !call.is_ended() {
        lines = lines.push(
            container(text(i18n.tr("call-muted")).size(theme::SMALL_SIZE))
                .padding([2, 10])
                .style(theme::badge),
        );
    }
    container(lines)
        .padding([18.0, theme::PADDING * 0.75])
        .width(Fill)
        .style(theme::band)
        .into()
}

/// A dot and a word for the connection, the figures in a tooltip, and the
/// button that opens the info panel.
fn quality_line<'a>(i18n: &I18n, call: &Call) -> Element<'a, Message> {
    let (dot, words) = match call.grade() {
        Some(grade) => (grade_dot(grade), i18n.tr(grade.id())),
        None => (Dot::Grey, i18n.tr("call-quality-waiting")),
    };
    let figures = match &call.quality {
        Some(q) => figures(i18n, q).join("\n"),
        None => i18n.tr("call-quality-waiting"),
    };
    let indicator = tooltip(
        row![theme::dot(dot, 10.0), text(words).size(theme::SMALL_SIZE)]
            .spacing(theme::SMALL_GAP)
            .align_y(Alignment::Center),
        theme::tooltip_card(figures),
        tooltip::Position::Bottom,
    );
    let info = tooltip(
        button(text(i18n.tr("call-info")).size(theme::SMALL_SIZE))
            .padding([2, 8])
            .style(theme::flat_button)
            .on_press(Message::ToggleInfo),
        theme::tooltip_card(i18n.tr("call-info-tip")),
        tooltip::Position::Bottom,
    );
    row![indicator, info]
        .spacing(theme::SMALL_GAP * 2.0)
        .align_y(Alignment::Center)
        .into()
}

fn grade_dot(grade: Grade) -> Dot {
    match grade {
        Grade::Good => Dot::Green,
        Grade::Fair => Dot::Amber,
        Grade::Poor => Dot::Red,
    }
}

/// The figures of the info panel and the tooltip, one line each.
fn figures(i18n: &I18n, q: &CallQualityView) -> Vec<String> {
    let percent = |share: f32| decimal(i18n, share * 100.0);
    let mut lines = vec![
        i18n.tr_args("call-info-codec", &[("codec", q.codec.clone().into())]),
        i18n.tr_args("call-info-loss", &[("percent", percent(q.loss).into())]),
    ];
    if let Some(remote) = q.remote_loss {
        lines.push(i18n.tr_args(
            "call-info-remote-loss",
            &[("percent", percent(remote).into())],
        ));
    }
    lines.push(i18n.tr_args(
        "call-info-jitter",
        &[("ms", format!("{:.0}", q.jitter_ms).into())],
    ));
    if let Some(rtt) = q.round_trip_ms {
        lines.push(i18n.tr_args("call-info-rtt", &[("ms", format!("{rtt:.0}").into())]));
    }
    lines.push(i18n.tr_args(
        "call-info-packets",
        &[
            ("sent", q.packets_sent.to_string().into()),
            ("received", q.packets_received.to_string().into()),
        ],
    ));
    lines.push(i18n.tr_args(
        "call-info-concealed",
        &[("count", q.concealed.to_string().into())],
    ));
    lines
}

/// `1.5` or `1,5`: one decimal, with the language's separator.
fn decimal(i18n: &I18n, value: f32) -> String {
    format!("{value:.1}").replace('.', &i18n.tr("decimal-separator"))
}

/// The id of the call window's pick list for `slot` (its container's).
pub fn device_picker_id(slot: Slot) -> &'static str {
    match slot {
        Slot::Input => "call-microphone",
        _ => "call-speaker",
    }
}

/// The microphone and speaker of the call, to switch mid-call.
fn devices_panel<'a>(i18n: &I18n, setup: &AudioSetup) -> Element<'a, Message> {
    // The button over it says what it is: a label and a list a line.
    let mut panel = column![].spacing(theme::SMALL_GAP);
    if setup.settings.is_none() {
        panel = panel.push(
            text(i18n.tr("settings-loading"))
                .size(theme::SMALL_SIZE)
                .style(theme::muted),
        );
    } else {
        for (slot, label) in [
            (Slot::Input, "settings-microphone"),
            (Slot::Output, "settings-speaker"),
        ] {
            let current = setup.device(slot);
            let list = choices(i18n, setup.devices.as_ref(), slot, &current);
            let selected = chosen(&list, &current);
            panel = panel.push(
                row![
                    text(i18n.tr(label))
                        .size(theme::SMALL_SIZE)
                        .width(Length::Fixed(84.0)),
                    container(
                        pick_list(list, selected, move |c| Message::Device(slot, c))
                            .width(Fill)
                            .padding([5, 8])
                            .text_size(theme::SMALL_SIZE)
                            .style(theme::picker)
                            .menu_style(theme::picker_menu)
                    )
                    .id(device_picker_id(slot))
                    .width(Fill),
                ]
                .spacing(theme::SMALL_GAP)
                .align_y(Alignment::Center),
            );
        }
    }
    if let Some(error) = &setup.switch_error {
        panel = panel.push(
            text(error.clone())
                .size(theme::SMALL_SIZE)
                .style(theme::error),
        );
    }
    container(panel)
        .padding(10)
        .width(Fill)
        .style(theme::card)
        .into()
}

/// The figures in a card, or the codec alone before any came.
fn info_panel<'a>(i18n: &I18n, call: &Call) -> Element<'a, Message> {
    let lines: Vec<String> = match &call.quality {
        Some(q) => figures(i18n, q),
        None => {
            let mut lines = Vec::new();
            if let Some(codec) = call.codec() {
                lines.push(i18n.tr_args("call-info-codec", &[("codec", codec.to_string().into())]));
            }
            lines.push(i18n.tr("call-quality-waiting"));
            lines
        }
    };
    let mut panel = column![text(i18n.tr("call-info"))
        .size(theme::LABEL_SIZE)
        .font(theme::BOLD)]
    .spacing(3);
    for line in lines {
        panel = panel.push(text(line).size(theme::SMALL_SIZE));
    }
    container(panel)
        .padding(12)
        .width(Fill)
        .style(theme::card)
        .into()
}

/// Hang up while the call lasts (with `back` beside it: "Hide keypad",
/// "Cancel"); Close once it has ended.
fn footer<'a>(i18n: &I18n, call: &Call, back: Option<(String, Message)>) -> Element<'a, Message> {
    let (label, tip, style, message): (_, _, theme::ButtonStyle, _) = if call.is_ended() {
        ("call-close", None, theme::secondary_button, Message::Close)
    } else {
        (
            "call-hangup",
            Some("call-hangup-tip"),
            theme::danger_button,
            Message::Hangup,
        )
    };
    let button = button(
        text(i18n.tr(label))
            .size(theme::BODY_SIZE)
            .font(theme::BOLD)
            .align_x(Alignment::Center)
            .width(Fill),
    )
    .width(Fill)
    .padding([10, 12])
    .style(style)
    .on_press(message);
    let main: Element<'a, Message> = match tip {
        Some(tip) => tooltip(
            button,
            theme::tooltip_card(i18n.tr(tip)),
            tooltip::Position::Top,
        )
        .into(),
        None => button.into(),
    };
    let Some((label, message)) = back else {
        return main;
    };
    let hide = iced::widget::button(
        text(label)
            .size(theme::BODY_SIZE)
            .align_x(Alignment::Center)
            .width(Fill),
    )
    .width(Fill)
    .padding([10, 12])
    .style(theme::secondary_button)
    .on_press(message);
    row![hide, main].spacing(theme::SMALL_GAP).into()
}
