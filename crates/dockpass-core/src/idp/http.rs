//! Just enough HTTP/1.1 for Dockpass's loopback listeners (the loopback ACS URL, the Identity
//! Center sign-in's redirect): one request per connection, read with bounds, one small page
//! back, with headers that keep the page to itself.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Headers beyond this are not a browser's request.
const MAX_HEAD: usize = 16 * 1024;
/// A browser sends its request at once.
pub(crate) const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// One request, as far as a form POST needs it.
pub(crate) struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The query, without `?` (empty without one).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `Err` holds the status and line to answer with.
pub(crate) async fn read_request(
    stream: &mut TcpStream,
    max_body: usize,
) -> std::result::Result<Request, (u16, String)> {
    let bad = |s: u16, m: &str| (s, m.to_string());
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(bad(431, "The request's headers are too large."));
        }
        let mut chunk = [0u8; 4096];
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| bad(400, "The request broke off."))?;
        if n == 0 {
            return Err(bad(400, "The request broke off."));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| bad(400, "Unreadable request."))?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_string(), query.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut req = Request {
        method,
        path,
        query,
        headers,
        body: buf[head_end + 4..].to_vec(),
    };
    if req.method == "POST" {
        if req.header("transfer-encoding").is_some() {
            return Err(bad(411, "Send the form with a Content-Length."));
        }
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(411, "Send the form with a Content-Length."))?;
        if len > max_body {
            return Err(bad(
                413,
                "The request is larger than anything Dockpass waits for.",
            ));
        }
        while req.body.len() < len {
            let mut chunk = vec![0u8; (len - req.body.len()).min(64 * 1024)];
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|_| bad(400, "The request broke off."))?;
            if n == 0 {
                return Err(bad(400, "The request broke off."));
            }
            req.body.extend_from_slice(&chunk[..n]);
        }
        req.body.truncate(len);
    }
    Ok(req)
}

/// Whether the request names this loopback listener as its host (a page of another site whose
/// name resolves to 127.0.0.1, DNS rebinding, names its own).
pub(crate) fn host_is_loopback(req: &Request, port: u16) -> bool {
    req.header("host").is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .contains(&h)
    })
}

/// Writes one HTML answer and closes the connection.
pub(crate) async fn respond(stream: &mut TcpStream, status: u16, body: &str) -> crate::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let io = |e: std::io::Error| crate::err(crate::Code::Io, e.to_string());
    stream.write_all(head.as_bytes()).await.map_err(io)?;
    stream.write_all(body.as_bytes()).await.map_err(io)?;
    let _ = stream.shutdown().await;
    Ok(())
}

/// Text for an HTML page.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page that says what happened and what to do next.
pub(crate) fn page(title: &str, message: &str, next: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dockpass: {title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2330}}h1{{font-size:1.4rem}}</style></head><body><h1 id=\"title\">{title}</h1><p id=\"message\">{}</p><p>{next}</p></body></html>",
        escape(message)
    )
}
