//! The control socket of a running Hark: a Unix socket (user-only
//! permissions) speaking the same JSON lines as headless mode. Each client
//! gets every event; its protocol errors are reported to it alone.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::broadcast::error::RecvError;

use super::codec;
use crate::engine::{EngineHandle, Event};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("another Hark is already running (its control socket is {0})")]
    AlreadyRunning(PathBuf),
    #[error("cannot open the control socket {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// A bound control socket; removes its file when dropped.
pub struct ControlSocket {
    listener: UnixListener,
    path: PathBuf,
}

impl ControlSocket {
    /// Binds `path`, replacing a stale socket file left by a crashed Hark.
    pub async fn bind(path: &Path) -> Result<ControlSocket, ServeError> {
        let io = |e| ServeError::Io(path.to_owned(), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Only a folder we create is made private: never touch an
            // existing one (the socket may be given as /tmp/hark.sock).
            if !dir.exists() {
                let mut builder = std::fs::DirBuilder::new();
                builder.recursive(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::DirBuilderExt;
                    builder.mode(0o700);
                }
                builder.create(dir).map_err(io)?;
            }
        }
        if path.exists() {
            if UnixStream::connect(path).await.is_ok() {
                return Err(ServeError::AlreadyRunning(path.to_owned()));
            }
            std::fs::remove_file(path).map_err(io)?;
        }
        let listener = UnixListener::bind(path).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(ControlSocket {
            listener,
            path: path.to_owned(),
        })
    }

    /// Accepts clients until the engine stops.
    pub async fn serve(self, engine: EngineHandle) {
        let mut events = engine.subscribe();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        tokio::spawn(client(stream, engine.clone()));
                    }
                    Err(e) => tracing::warn!("control socket accept failed: {e}"),
                },
                ev = events.recv() => {
                    if matches!(ev, Ok(Event::Stopped) | Err(RecvError::Closed)) {
                        break;
                    }
                }
            }
        }
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn client(stream: UnixStream, engine: EngineHandle) {
    let (read, mut write) = stream.into_split();
    let (own_tx, mut own_rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let mut events = engine.subscribe();
    let writer = tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                // This client's own protocol errors first: they were found
                // before any later command of theirs reached the engine.
                biased;
                Some(ev) = own_rx.recv() => ev,
                ev = events.recv() => match ev {
                    Ok(ev) => ev,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
            };
            let stopped = event == Event::Stopped;
            let mut line = codec::encode(&event);
            line.push('\n');
            if write.write_all(line.as_bytes()).await.is_err() || stopped {
                break;
            }
        }
    });
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match codec::decode(&line) {
            Ok(Some(envelope)) => {
                engine.send(envelope);
            }
            Ok(None) => {}
            Err(event) => {
                let _ = own_tx.send(event);
            }
        }
    }
    drop(own_tx);
    // The client closed its side: keep delivering until it goes away.
    let _ = writer.await;
}
