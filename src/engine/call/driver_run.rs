//! The call task's loop and what it does with the machine's outputs, the
//! user's actions, the dialog's traffic and the media thread's news.

use super::*;

impl Call {
    pub(super) fn new(
        shared: Arc<Shared>,
        view: CallView,
        peer: Uri,
        local: LocalMedia,
        ports: MediaPorts,
    ) -> Call {
        let (sip_tx, sip_rx) = mpsc::unbounded_channel();
        let (media_tx, media_rx) = mpsc::unbounded_channel();
        Call {
            shared,
            view,
            machine: machine(),
            peer,
            local,
            ports,
            media: None,
            pending_offer: None,
            answered: None,
            local_answer: None,
            agreed: None,
            sip_tx,
            sip_rx: Some(sip_rx),
            media_tx,
            media_rx: Some(media_rx),
            cancel: None,
            servers: HashMap::new(),
            answered_2xx: HashSet::new(),
            muted: false,
            transfer: None,
            referral: None,
            refer_subscription: None,
            uas_timer: None,
            redirect_to: None,
            no_answer: None,
            ringer: None,
            wanted_hold: None,
            recorded: false,
            recorded_answer: false,
        }
    }

    pub(super) async fn run(
        mut self,
        first: Vec<Output>,
        mut msgs: mpsc::UnboundedReceiver<CallMsg>,
        done: mpsc::UnboundedSender<String>,
    ) {
        let mut sip_rx = self.sip_rx.take().expect("run once");
        let mut media_rx = self.media_rx.take().expect("run once");
        let mut settings = self.shared.registry.watch_settings();
        settings.mark_unchanged();
        self.process(first);
        let mut hung_up = false;
        while !self.machine.is_finished() {
            let wake = self
                .machine
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            tokio::select! {
                msg = msgs.recv(), if !hung_up => match msg {
                    Some(CallMsg::Control(action)) => self.act(action),
                    Some(CallMsg::Request(tx)) => self.request(*tx),
                    Some(CallMsg::Referred(report)) => self.refer_placed(report),
                    None => {
                        hung_up = true;
                        self.input(Input::Hangup);
                    }
                },
                Some(e) = sip_rx.recv() => self.sip(e),
                Some(e) = media_rx.recv() => self.media_event(e),
                _ = crate::engine::sleep_until(self.no_answer.as_ref().map(|n| n.0)), if self.no_answer.is_some() => {
                    if let Some((_, to)) = self.no_answer.take() {
                        self.redirect(&to);
                    }
                }
                Ok(()) = settings.changed() => {
                    let audio = AudioSetup::from_settings(&settings.borrow_and_update());
                    if let Some(m) = &self.media {
                        m.switch_devices(audio);
                    }
                }
                Some(code) = async { self.refer_subscription.as_mut().expect("guarded").report.recv().await }, if self.refer_subscription.is_some() => {
                    self.refer_outcome(code);
                }
                _ = crate::engine::sleep_until(wake) => {
                    let out = self.machine.handle_timeout(Instant::now());
                    self.process(out);
                }
            }
            if self.view.phase != CallPhase::Incoming {
                self.stop_ringing();
            }
            self.retry_wanted_hold();
        }
        self.stop_ringing();
        self.media = None;
        let _ = done.send(self.view.id.clone());
    }

    /// Offers hold (sendonly) or resumption (sendrecv); false when the
    /// machine could not send it now (another offer is out, or the call is
    /// not established).
    fn hold_or_resume(&mut self, hold: bool) -> bool {
        let local = if hold {
            self.local.held()
        } else {
            self.local.resumed()
        };
        let offer = offer_answer::make_offer(&local);
        let bytes = offer.to_string().into_bytes();
        let before = self.machine.state().clone();
        let out = self.machine.handle_input(
            if hold {
                Input::Hold { offer: bytes }
            } else {
                Input::Resume { offer: bytes }
            },
            Instant::now(),
        );
        let sent = !out.is_empty() || self.machine.state() != &before;
        if sent {
            self.local = local;
            self.pending_offer = Some(offer);
        }
        self.process(out);
        sent
    }

    /// A hold or resumption asked for while another offer was out goes
    /// once that one is settled (and is dropped when no longer needed).
    fn retry_wanted_hold(&mut self) {
        let Some(hold) = self.wanted_hold else {
            return;
        };
        if self.machine.offer_pending() {
            return; // its answer decides where the call stands
        }
        match self.machine.state().clone() {
            CallState::Established { on_hold } if on_hold == hold => self.wanted_hold = None,
            CallState::Established { .. } if self.hold_or_resume(hold) => self.wanted_hold = None,
            CallState::Ended(_) => self.wanted_hold = None,
            _ => {}
        }
    }

    /// Rings on the ringer device while the call waits for an answer.
    pub(super) fn start_ringing(&mut self) {
        let spec = self.shared.registry.settings().ringer.unwrap_or_default();
        self.ringer = crate::engine::call::audio_setup::start_ringer(&spec);
    }

    /// Stopping joins the ringer's thread (and closes its device): not on
    /// the task's thread.
    fn stop_ringing(&mut self) {
        if let Some(ringer) = self.ringer.take() {
            tokio::task::spawn_blocking(move || ringer.stop());
        }
    }

    pub(super) fn input(&mut self, input: Input) {
        let out = self.machine.handle_input(input, Instant::now());
        self.process(out);
    }

    /// Tells the front ends.
    pub(super) fn emit(&self) {
        self.shared.registry.set_view(&self.view);
        let _ = self.shared.events.send(Event::Call {
            call: Box::new(self.view.clone()),
        });
    }

    fn act(&mut self, action: CallAction) {
        tracing::debug!(call = %self.view.id, ?action, state = ?self.machine.state(), "call action");
        match action {
            CallAction::Answer => {
                let sdp = match &self.local_answer {
                    Some(answer) => answer.to_string(),
                    None => {
                        // No offer in the INVITE: ours goes in the 2xx.
                        let offer = offer_answer::make_offer(&self.local);
                        let text = offer.to_string();
                        self.pending_offer = Some(offer);
                        text
                    }
                };
                let timer = self.uas_timer.as_ref().map(|(_, d, r)| (*d, *r));
                self.input(Input::Accept {
                    answer: sdp.into_bytes(),
                });
                if let Some((delta, we_refresh)) = timer {
                    self.input(Input::SessionTimer { delta, we_refresh });
                }
            }
            CallAction::Decline => self.input(Input::Decline { code: 603 }),
            CallAction::Voicemail => match self.shared.registry.settings().voicemail {
                Some(pilot) => self.redirect(&pilot),
                None => self.input(Input::Decline { code: 486 }),
            },
            CallAction::Hangup => self.input(Input::Hangup),
            CallAction::Hold | CallAction::Resume => {
                let hold = action == CallAction::Hold;
                // While another offer is out the change waits its turn.
                self.wanted_hold = (!self.hold_or_resume(hold)).then_some(hold);
            }
            CallAction::Mute | CallAction::Unmute => {
                self.muted = action == CallAction::Mute;
                if let Some(m) = &self.media {
                    m.mute(self.muted);
                }
                self.view.muted = self.muted;
                self.emit();
            }
            CallAction::Dtmf { keys } => {
                if let Some(m) = &self.media {
                    m.dtmf(keys);
                }
            }
            CallAction::Transfer { target } => self.transfer(&target),
            CallAction::AttendedTransfer { with } => self.attended_transfer(&with),
        }
    }

    /// Sends the ringing call elsewhere (302 with the target as Contact).
    fn redirect(&mut self, target: &str) {
        if self.view.phase != CallPhase::Incoming {
            return;
        }
        // The machine declines with 302; `respond` adds where to.
        self.redirect_to = Some(self.shared.target(target));
        self.view.end_reason = Some("forwarded".into());
        self.view.detail = Some(target.to_string());
        self.input(Input::Decline { code: 302 });
    }

    /// A request from the peer in this dialog.
    fn request(&mut self, mut tx: rsipstack::transaction::transaction::Transaction) {
        if tx.original.method == rsipstack::sip::Method::Notify {
            self.transfer_progress(tx);
            return;
        }
        if tx.original.method == rsipstack::sip::Method::Refer {
            self.refer_in(tx);
            return;
        }
        let Some(r) = call_wire::request_in(&tx.original) else {
            // INFO, OPTIONS: taken; REFER and the rest: not yet.
            let code: u16 = match tx.original.method {
                rsipstack::sip::Method::Info | rsipstack::sip::Method::Options => 200,
                _ => 501,
            };
            tokio::spawn(async move {
                let _ = tx.reply(code.into()).await;
            });
            return;
        };
        let local_tag = self
            .machine
            .dialog()
            .map(|d| d.local_tag.clone())
            .unwrap_or_default();
        let server = driver_sip::serve(self.shared.clone(), tx, &local_tag, self.sip_tx.clone());
        self.servers.insert((r.method, r.cseq), server);
        self.input(Input::Request(r));
    }

    fn sip(&mut self, e: SipEvent) {
        match e {
            SipEvent::Response(r) => {
                let first_answer = r.method == Some(Method::Invite)
                    && (200..300).contains(&r.code)
                    && self.view.direction == CallDirection::Outgoing
                    && self.view.answered_ms.is_none();
                let answered = r.session_expires;
                if let (Some(reason), true) = (Some(&r.reason), r.code >= 300) {
                    if r.method == Some(Method::Invite) && self.view.answered_ms.is_none() {
                        self.view.detail = Some(format!("{} {}", r.code, reason));
                    }
                }
                self.input(Input::Response(r));
                if first_answer {
                    let (delta, we_refresh) = crate::sip::session_timer::negotiate_uac(
                        &crate::sip::session_timer::SessionTimerConfig::default(),
                        answered,
                    );
                    self.input(Input::SessionTimer { delta, we_refresh });
                }
            }
            SipEvent::Resent { old, new } => self.machine.request_resent(old, new),
            SipEvent::Ack { cseq, sdp } => self.input(Input::Request(RequestIn {
                method: Method::Ack,
                cseq,
                contact: None,
                sdp,
            })),
            SipEvent::Referred { code, reason } => self.referred(code, reason),
            SipEvent::Cancel { cseq, elsewhere } => {
                if elsewhere && self.view.phase == CallPhase::Incoming {
                    // Not missed: the user took it on another device.
                    self.view.end_reason = Some("answered-elsewhere".into());
                }
                self.input(Input::Request(RequestIn {
                    method: Method::Cancel,
                    cseq,
                    contact: None,
                    sdp: None,
                }))
            }
        }
    }

    fn media_event(&mut self, e: MediaEvent) {
        match e {
            MediaEvent::Dtmf(key) => {
                let _ = self.shared.events.send(Event::DtmfReceived {
                    call: self.view.id.clone(),
                    key,
                });
            }
            MediaEvent::Quality {
                quality,
                stats,
                codec,
            } => {
                let _ = self.shared.events.send(Event::CallQuality {
                    quality: CallQualityView {
                        call: self.view.id.clone(),
                        codec: codec.to_string(),
                        loss: quality.fraction_lost,
                        jitter_ms: quality.jitter.as_secs_f32() * 1000.0,
                        remote_loss: quality.remote_fraction_lost,
                        round_trip_ms: quality.round_trip.map(|d| d.as_secs_f32() * 1000.0),
                        packets_sent: stats.packets_sent,
                        packets_received: stats.packets_received,
                        concealed: stats.concealed + stats.recovered,
                    },
                });
            }
            MediaEvent::DeviceProblem(message) => {
                tracing::warn!(call = %self.view.id, "{message}");
                let _ = self.shared.events.send(Event::Warning { message });
            }
        }
    }

    /// Carries out the machine's outputs.
    fn process(&mut self, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Send(req) => self.send(req),
                Output::Respond(resp) => self.respond(resp),
                Output::Media { remote, early, .. } => self.media_up(&remote, early),
                Output::StopMedia => self.media = None,
                Output::NeedAnswer { offer } => self.answer_reoffer(offer),
                Output::ReofferFailed { code } => {
                    tracing::info!(call = %self.view.id, code, "re-INVITE refused; the call goes on");
                    self.pending_offer = None;
                }
                Output::State(s) => self.show(s),
                Output::Redirected { target } => {
                    tracing::info!(call = %self.view.id, %target, "call forwarded");
                    // The next INVITE is a new initial one (new transaction).
                    self.cancel = None;
                    self.view.forwarded_to = Some(target);
                    self.view.detail = None;
                    self.emit();
                }
            }
        }
    }

    fn send(&mut self, req: crate::sip::call::Request) {
        let Some(dialog) = self.machine.dialog().cloned() else {
            return;
        };
        match req.method {
            // rsipstack's transaction layer ACKs every 2xx itself.
            Method::Ack => {}
            Method::Cancel => {
                if let Some(c) = &self.cancel {
                    let _ = c.send(());
                }
            }
            Method::Invite if dialog.remote_tag.is_none() && self.cancel.is_none() => {
                let mut spec = call_wire::dialog_request(
                    &dialog,
                    &req,
                    &self.peer,
                    &self.shared.identity.contact,
                );
                for (name, value) in
                    crate::sip::session_timer::SessionTimerConfig::default().request_headers(None)
                {
                    spec.headers
                        .push(rsipstack::sip::Header::Other(name, value));
                }
                if let Some(r) = &self.referral {
                    let extra = [("Replaces", &r.replaces), ("Referred-By", &r.referred_by)];
                    for (name, value) in extra {
                        if let Some(v) = value {
                            spec.headers
                                .push(rsipstack::sip::Header::Other(name.into(), v.clone()));
                        }
                    }
                }
                let (tx, rx) = mpsc::unbounded_channel();
                self.cancel = Some(tx);
                driver_sip::invite(self.shared.clone(), spec, rx, self.sip_tx.clone());
            }
            method => {
                if method == Method::Invite && self.pending_offer.is_none() {
                    // A refresh or a retried re-offer the machine made.
                    self.pending_offer = req.sdp.as_deref().and_then(|b| sdp::parse(b).ok());
                }
                let spec = call_wire::dialog_request(
                    &dialog,
                    &req,
                    &self.peer,
                    &self.shared.identity.contact,
                );
                driver_sip::in_dialog(self.shared.clone(), spec, method, self.sip_tx.clone());
            }
        }
    }

    fn respond(&mut self, resp: crate::sip::call::Response) {
        let key = (resp.method, resp.cseq);
        if resp.method == Method::Cancel {
            return; // rsipstack answered the CANCEL itself
        }
        if resp.method == Method::Invite
            && (200..300).contains(&resp.code)
            && !self.answered_2xx.insert(resp.cseq)
        {
            return; // a retransmission: rsipstack resends the 2xx
        }
        let Some(server) = self.servers.get(&key) else {
            return;
        };
        let mut headers: Vec<rsipstack::sip::Header> = resp
            .headers
            .into_iter()
            .map(|(n, v)| rsipstack::sip::Header::Other(n, v))
            .collect();
        if let Some(target) = self.redirect_to.take().filter(|_| resp.code / 100 == 3) {
            headers.push(rsipstack::sip::Header::Contact(
                format!("<{target}>").into(),
            ));
        }
        if resp.method == Method::Invite && (200..300).contains(&resp.code) {
            // The initial INVITE's 2xx carries the agreed session timer.
            if let Some((h, _, _)) = self.uas_timer.take() {
                headers.extend(h);
            }
        }
        let _ = server.send(Reply {
            code: resp.code,
            reason: None,
            headers,
            sdp: resp.sdp,
        });
        if resp.code >= 200 {
            self.servers.remove(&key);
        }
    }

    /// The peer re-offered (hold, resume, a new address): answer it.
    fn answer_reoffer(&mut self, offer: Option<Vec<u8>>) {
        let Some(offer) = offer else {
            let ours = offer_answer::make_offer(&self.local.next_version());
            self.local = self.local.next_version();
            let text = ours.to_string();
            self.pending_offer = Some(ours);
            self.input(Input::Answer {
                sdp: text.into_bytes(),
            });
            return;
        };
        let local = self.local.next_version();
        let result = sdp::parse(&offer)
            .map_err(offer_answer::Refusal::from)
            .and_then(|o| offer_answer::answer(&o, &local));
        match result {
            Ok(a) => {
                self.local = local;
                self.answered = Some(a.negotiated);
                self.pending_offer = None;
                self.input(Input::Answer {
                    sdp: a.sdp.to_string().into_bytes(),
                });
            }
            Err(r) => {
                tracing::info!(call = %self.view.id, reason = %r.reason, "re-offer refused");
                self.input(Input::RefuseOffer { code: r.status });
            }
        }
    }

    /// SDP was agreed (or changed): start or update the media thread.
    fn media_up(&mut self, remote: &[u8], early: bool) {
        let agreed = match self.pending_offer.take() {
            Some(ours) => sdp::parse(remote)
                .map_err(offer_answer::Refusal::from)
                .and_then(|answer| offer_answer::accept_answer(&ours, &answer)),
            None => match self.answered.clone() {
                Some(a) => Ok(a),
                // Nothing new was agreed (an offerless refresh): media goes on.
                None => return,
            },
        };
        let negotiated = match agreed {
            Ok(n) => n,
            Err(r) => {
                tracing::warn!(call = %self.view.id, reason = %r.reason, "unusable answer: hanging up");
                self.view.end_reason = Some("refused".into());
                self.view.detail = Some(r.reason);
                self.input(Input::Hangup);
                return;
            }
        };
        if early {
            // Keep the offer for the final answer (it may differ).
            self.pending_offer = Some(offer_answer::make_offer(&self.local));
        }
        let same_codec = self
            .agreed
            .as_ref()
            .is_some_and(|a| a.codec == negotiated.codec && a.send_pt == negotiated.send_pt);
        self.agreed = Some(negotiated.clone());
        self.view.codec = Some(negotiated.codec.encoding().to_string());
        if let (Some(m), true) = (&self.media, same_codec) {
            m.update(negotiated);
            m.mute(self.muted || self.local.direction != crate::media::sdp::Direction::SendRecv);
            return;
        }
        self.media = None;
        let Some(codec) = local::open_codec(&negotiated) else {
            tracing::warn!(call = %self.view.id, "no codec for {:?}", negotiated.codec);
            return;
        };
        let ports = match self.ports.try_clone() {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(call = %self.view.id, "audio sockets: {e}");
                return;
            }
        };
        let audio = AudioSetup::from_settings(&self.shared.registry.settings());
        let cname = self.shared.account.address.clone();
        match media::start(
            ports,
            negotiated,
            codec,
            audio,
            cname,
            self.media_tx.clone(),
        ) {
            Ok(m) => {
                // While we hold the call the microphone stays private.
                m.mute(
                    self.muted || self.local.direction != crate::media::sdp::Direction::SendRecv,
                );
                self.media = Some(m);
            }
            Err(e) => tracing::warn!(call = %self.view.id, "media thread: {e}"),
        }
    }
}
