//! Headless mode's face: commands as JSON lines on stdin, events as JSON
//! lines on stdout. End of input means the controller is gone: Hark quits
//! (unregistering first). Returns once the engine has stopped.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::broadcast::error::RecvError;

use super::codec;
use crate::engine::{Command, EngineHandle, Event};

pub async fn run(engine: EngineHandle, mut events: tokio::sync::broadcast::Receiver<Event>) {
    let writer = tokio::spawn(async move {
        let mut out = tokio::io::stdout();
        loop {
            match events.recv().await {
                Ok(event) => {
                    let stopped = event == Event::Stopped;
                    let mut line = codec::encode(&event);
                    line.push('\n');
                    if out.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                    let _ = out.flush().await;
                    if stopped {
                        break;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("stdout fell {n} events behind");
                }
                Err(RecvError::Closed) => break,
            }
        }
    });

    let reader_engine = engine.clone();
    let reader = tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        loop {
            match lines.next_line().await {
                Ok(Some(line)) => dispatch(&reader_engine, &line),
                Ok(None) => break,
                Err(e) => {
                    // Invalid UTF-8 and the like: say so, keep reading.
                    reader_engine.report(Event::Error {
                        id: None,
                        kind: crate::engine::ErrorKind::BadJson,
                        message: format!("cannot read the line: {e}"),
                    });
                    if e.kind() != std::io::ErrorKind::InvalidData {
                        break;
                    }
                }
            }
        }
        reader_engine.send(Command::Quit);
    });

    let _ = writer.await;
    reader.abort();
}

/// Decodes one line and hands it to the engine, or reports why not.
pub fn dispatch(engine: &EngineHandle, line: &str) {
    match codec::decode(line) {
        Ok(Some(envelope)) => {
            engine.send(envelope);
        }
        Ok(None) => {}
        Err(event) => engine.report(event),
    }
}
