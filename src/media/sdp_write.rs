//! Writing a [`SessionDescription`] as SDP text (CRLF line ends, `t=0 0`,
//! no `b=`), in an order [`super::parse`] reads back to an equal value.

use std::fmt;
use std::net::IpAddr;

use super::SessionDescription;

fn write_connection(f: &mut fmt::Formatter<'_>, addr: IpAddr) -> fmt::Result {
    let kind = if addr.is_ipv4() { "IP4" } else { "IP6" };
    write!(f, "c=IN {kind} {addr}\r\n")
}

fn write_attribute(f: &mut fmt::Formatter<'_>, name: &str, val: &Option<String>) -> fmt::Result {
    match val {
        Some(v) => write!(f, "a={name}:{v}\r\n"),
        None => write!(f, "a={name}\r\n"),
    }
}

/// Writes the description with CRLF line ends (`t=0 0`, no `b=`).
impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(f, "v=0\r\n")?;
        write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        )?;
        write!(f, "s={}\r\n", self.session_name)?;
        if let Some(addr) = self.connection {
            write_connection(f, addr)?;
        }
        write!(f, "t=0 0\r\n")?;
        for (name, val) in &self.attributes {
            write_attribute(f, name, val)?;
        }
        if let Some(d) = self.direction {
            write!(f, "a={}\r\n", d.as_str())?;
        }
        for m in &self.media {
            write!(f, "m={} {}", m.media, m.port)?;
            if let Some(count) = m.port_count {
                write!(f, "/{count}")?;
            }
            write!(f, " {} {}\r\n", m.proto, m.formats.join(" "))?;
            if let Some(addr) = m.connection {
                write_connection(f, addr)?;
            }
            for r in &m.rtpmaps {
                write!(
                    f,
                    "a=rtpmap:{} {}/{}",
                    r.payload_type, r.encoding, r.clock_rate
                )?;
                if let Some(ch) = r.channels {
                    write!(f, "/{ch}")?;
                }
                write!(f, "\r\n")?;
            }
            for (format, params) in &m.fmtps {
                write!(f, "a=fmtp:{format} {params}\r\n")?;
            }
            if let Some(p) = m.ptime {
                write!(f, "a=ptime:{p}\r\n")?;
            }
            if let Some(p) = m.rtcp_port {
                write!(f, "a=rtcp:{p}\r\n")?;
            }
            for (name, val) in &m.attributes {
                write_attribute(f, name, val)?;
            }
            if let Some(d) = m.direction {
                write!(f, "a={}\r\n", d.as_str())?;
            }
        }
        Ok(())
    }
}
