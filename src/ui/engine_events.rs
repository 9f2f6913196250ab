//! The engine's event broadcast as an iced [`Subscription`]: one receiver,
//! subscribed when the subscription starts, turned into [`Message`]s. The
//! first message, [`Message::EngineConnected`], comes after the receiver
//! exists, so a `Snapshot` sent in answer to it cannot be missed.

use std::hash::{Hash, Hasher};

use iced::futures::{stream, Stream, StreamExt};
use iced::Subscription;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::engine::{EngineHandle, Event};

use super::app::Message;

/// Every event the engine emits from when the subscription starts.
pub fn subscription(engine: &EngineHandle) -> Subscription<Message> {
    Subscription::run_with(Source(engine.clone()), |source| {
        messages(source.0.subscribe())
    })
}

/// Identifies the subscription; there is one engine per UI.
struct Source(EngineHandle);

impl Hash for Source {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "hark-engine-events".hash(state);
    }
}

fn messages(receiver: broadcast::Receiver<Event>) -> impl Stream<Item = Message> {
    stream::once(async { Message::EngineConnected }).chain(stream::unfold(
        Some(receiver),
        |receiver| async move {
            let mut receiver = receiver?;
            match receiver.recv().await {
                Ok(event) => Some((Message::Engine(event), Some(receiver))),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the window fell behind the engine's events");
                    Some((Message::EngineLagged, Some(receiver)))
                }
                Err(RecvError::Closed) => Some((Message::EngineClosed, None)),
            }
        },
    ))
}
