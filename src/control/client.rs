//! The client side of the control socket, used by `hark status ...` and
//! friends: send one command to the running Hark and wait for its answer.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use super::codec;
use crate::engine::{Command, Envelope, Event};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("Hark is not running (no control socket at {0}); start it first")]
    NotRunning(String),
    #[error("the running Hark refused the command: {0}")]
    Refused(String),
    #[error("lost the connection to the running Hark: {0}")]
    Io(#[from] std::io::Error),
    #[error("no answer from the running Hark within {0:?}")]
    Timeout(Duration),
}

/// Sends `command` and waits for the `ok`/`error` (or `pong`) that answers it.
pub async fn send(socket: &Path, command: Command, wait: Duration) -> Result<Event, ClientError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|_| ClientError::NotRunning(socket.display().to_string()))?;
    let (read, mut write) = stream.into_split();
    let id = serde_json::Value::from(format!("cli-{}", std::process::id()));
    let mut line = codec::encode_command(&Envelope {
        id: Some(id.clone()),
        command,
    });
    line.push('\n');
    write.write_all(line.as_bytes()).await?;
    let mut lines = BufReader::new(read).lines();
    let answer = async {
        while let Some(line) = lines.next_line().await? {
            let Ok(event) = serde_json::from_str::<Event>(&line) else {
                continue;
            };
            match &event {
                Event::Ok { id: Some(i) } | Event::Pong { id: Some(i) } if *i == id => {
                    return Ok(event)
                }
                Event::Error {
                    id: Some(i),
                    message,
                    ..
                } if *i == id => return Err(ClientError::Refused(message.clone())),
                _ => {}
            }
        }
        Err(ClientError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the running Hark closed the connection",
        )))
    };
    tokio::time::timeout(wait, answer)
        .await
        .map_err(|_| ClientError::Timeout(wait))?
}
