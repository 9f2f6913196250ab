//! Carrying out what the machines ask: SUBSCRIBE and PUBLISH requests
//! started from the queue while there is room, and their answers fed back.

use super::{Done, Job, SubKey, Task, MAX_IN_FLIGHT};
use crate::sip::publication;
use crate::sip::request;
use crate::sip::subscription;

impl Task {
    /// Starts queued requests while there is room.
    pub(super) fn pump(&mut self) {
        // Quitting ends every subscription: let more go at once.
        let room = if self.stop.is_some() {
            MAX_IN_FLIGHT * 4
        } else {
            MAX_IN_FLIGHT
        };
        while self.running.len() < room {
            let Some(job) = self.queue.pop_front().or_else(|| self.later.pop_front()) else {
                return;
            };
            let endpoint = self.endpoint.clone();
            let identity = self.identity.clone();
            match job {
                Job::Subscribe {
                    key,
                    expires,
                    fresh,
                } => {
                    let Some(sub) = self.subs.get_mut(&key) else {
                        continue;
                    };
                    if fresh {
                        self.by_call_id.remove(sub.dialog.call_id());
                        // A new dialog starts its versions afresh.
                        if key == SubKey::Winfo {
                            self.watchers.reset();
                        } else if key == SubKey::List {
                            self.list_state.reset();
                        } else if let SubKey::Line(uri) = &key {
                            self.lines.remove(uri);
                        }
                    }
                    let mut spec = sub.dialog.subscribe(expires, fresh, &identity.contact);
                    self.by_call_id
                        .insert(sub.dialog.call_id().to_string(), key.clone());
                    self.running.push(Box::pin(async move {
                        let reply = request::send(&endpoint, &identity, &mut spec).await;
                        Done::Subscribe {
                            key,
                            reply,
                            spec: Box::new(spec),
                        }
                    }));
                }
                Job::Publish(p) => {
                    let mut spec = p.request(&identity.aor, "presence", "application/pidf+xml");
                    self.running.push(Box::pin(async move {
                        Done::Publish(request::send(&endpoint, &identity, &mut spec).await)
                    }));
                }
            }
        }
    }

    pub(super) fn on_done(&mut self, done: Done) {
        let now = std::time::Instant::now();
        match done {
            Done::Subscribe { key, reply, spec } => {
                let code = reply.code();
                let Some(sub) = self.subs.get_mut(&key) else {
                    return;
                };
                if spec.call_id != sub.dialog.call_id() {
                    return; // an answer from a dialog we already left
                }
                sub.dialog.sent(&spec);
                if (200..300).contains(&code) {
                    if let Some(resp) = reply.response() {
                        sub.dialog.on_success(&resp.headers);
                    }
                }
                let input = subscription::Input::Response {
                    code,
                    expires: reply.seconds("Expires"),
                    hint_secs: reply.retry_hint(),
                };
                self.feed(&key, input, now);
            }
            Done::Publish(reply) => {
                let input = publication::Input::response(&reply);
                let out = self.publication.handle_input(input, now);
                self.publication_outputs(out);
            }
        }
    }
}
