//! One rsipstack endpoint per account: a UDP socket bound to the local
//! address that routes to the server (TCP connections are dialled on demand
//! by rsipstack), the transaction layer's task, and a watch on connection
//! closes so a lost TCP flow is noticed at once (RFC 5626 flow failure).

use std::net::SocketAddr;

use async_trait::async_trait;
use rsipstack::transaction::endpoint::{EndpointInnerRef, TransportEventInspector};
use rsipstack::transaction::TransactionReceiver;
use rsipstack::transport::udp::UdpConnection;
use rsipstack::transport::{SipAddr, TransportEvent, TransportLayer};
use rsipstack::EndpointBuilder;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::Transport;

/// What is needed to set up an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    /// Resolved registrar / outbound proxy.
    pub server: SocketAddr,
    pub transport: Transport,
    pub user_agent: String,
}

/// A running endpoint. Dropping it stops its tasks and closes its sockets.
pub struct SipEndpoint {
    pub inner: EndpointInnerRef,
    pub server: SocketAddr,
    pub transport: Transport,
    /// The local UDP address (also our host for Contact before rport tells better).
    pub local_udp: SocketAddr,
    cancel: CancellationToken,
}

/// Notifications from the transport about flows to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowEvent {
    /// The stream connection to the server closed.
    Closed,
}

struct FlowWatcher {
    server: SocketAddr,
    tx: mpsc::UnboundedSender<FlowEvent>,
}

#[async_trait]
impl TransportEventInspector for FlowWatcher {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        if let TransportEvent::Closed(conn) = &event {
            let to_server = conn
                .get_remote_addr()
                .and_then(|a| a.get_socketaddr().ok())
                .is_some_and(|a| a == self.server);
            let stream = !matches!(
                conn.get_addr().r#type,
                None | Some(rsipstack::sip::Transport::Udp)
            );
            if stream && to_server {
                let _ = self.tx.send(FlowEvent::Closed);
            }
        }
        Some(event)
    }
}

impl SipEndpoint {
    /// Binds the socket and starts the transaction layer. Returns the endpoint,
    /// the incoming server transactions and the flow events.
    pub async fn start(
        settings: EndpointSettings,
    ) -> std::io::Result<(
        SipEndpoint,
        TransactionReceiver,
        mpsc::UnboundedReceiver<FlowEvent>,
    )> {
        let local_ip = super::resolve::local_ip_for(settings.server)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, e))?;
        let cancel = CancellationToken::new();
        let transport_layer = TransportLayer::new(cancel.child_token());
        let udp = UdpConnection::create_connection(
            SocketAddr::new(local_ip, 0),
            None,
            Some(cancel.child_token()),
        )
        .await
        .map_err(std::io::Error::other)?;
        let local_udp = udp
            .get_addr()
            .get_socketaddr()
            .map_err(std::io::Error::other)?;
        transport_layer.add_transport(udp.into());
        let (flow_tx, flow_rx) = mpsc::unbounded_channel();
        let endpoint = EndpointBuilder::new()
            .with_user_agent(&settings.user_agent)
            .with_cancel_token(cancel.child_token())
            .with_transport_layer(transport_layer)
            .with_transport_inspector(Box::new(FlowWatcher {
                server: settings.server,
                tx: flow_tx,
            }))
            .build();
        let incoming = endpoint
            .incoming_transactions()
            .map_err(std::io::Error::other)?;
        let inner = endpoint.inner.clone();
        let token = cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = endpoint.serve() => {}
                _ = token.cancelled() => {}
            }
        });
        Ok((
            SipEndpoint {
                inner,
                server: settings.server,
                transport: settings.transport,
                local_udp,
                cancel,
            },
            incoming,
            flow_rx,
        ))
    }

    /// Our Contact for `account`: its user at our local address, with the
    /// account's transport when it is not UDP.
    pub fn contact_uri(&self, account: &crate::config::AccountConfig) -> rsipstack::sip::Uri {
        let mut uri = rsipstack::sip::Uri {
            scheme: Some(rsipstack::sip::Scheme::Sip),
            auth: Some(rsipstack::sip::Auth {
                user: account.user().to_string(),
                password: None,
            }),
            host_with_port: self.local_udp.into(),
            params: vec![],
            headers: vec![],
        };
        if account.transport != Transport::Udp {
            uri.params
                .push(rsipstack::sip::Param::Transport(sip_transport(
                    account.transport,
                )));
        }
        uri
    }

    /// Where requests to the server go, with the account's transport.
    pub fn server_addr(&self) -> SipAddr {
        let mut addr = SipAddr::from(self.server);
        addr.r#type = Some(sip_transport(self.transport));
        addr
    }
}

impl Drop for SipEndpoint {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Our transport setting in rsip's terms.
pub fn sip_transport(t: Transport) -> rsipstack::sip::Transport {
    match t {
        Transport::Udp => rsipstack::sip::Transport::Udp,
        Transport::Tcp => rsipstack::sip::Transport::Tcp,
    }
}
