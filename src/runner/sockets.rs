//! Which TCP addresses a process group listens on, read from Linux's /proc, so a
//! verdict can say "it listens on 0.0.0.0" or "on port 3000 instead of PORT".
//! Elsewhere it finds nothing, and the checks that use it stay silent.

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether a wildcard socket (0.0.0.0 or a dual-stack ::) holds `port`, told by
/// trying to bind 127.0.0.2 on it: a socket bound to 127.0.0.1 alone leaves that
/// address free, a wildcard one does not. Microseconds, where [`listening`] reads
/// all of /proc (about 10 ms). `None` where 127.0.0.2 cannot be bound (not Linux).
pub fn wildcard_holds(port: u16) -> Option<bool> {
    match std::net::TcpListener::bind((Ipv4Addr::new(127, 0, 0, 2), port)) {
        Ok(_) => Some(false),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Some(true),
        Err(_) => None,
    }
}

/// The listening TCP sockets of every process in group `pgid`.
pub fn listening(pgid: i32) -> Vec<SocketAddr> {
    let inodes = socket_inodes(pgid);
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // local_address is f[1], st is f[3] (0A = LISTEN), inode is f[9].
            if f.len() > 9
                && f[3] == "0A"
                && inodes.contains(f[9])
                && let Some(addr) = parse_addr(f[1], v6)
            {
                out.push(addr);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn socket_inodes(pgid: i32) -> HashSet<String> {
    let mut inodes = HashSet::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return inodes;
    };
    for entry in procs.flatten() {
        let name = entry.file_name();
        let Ok(pid) = name.to_string_lossy().parse::<i32>() else {
            continue;
        };
        if process_group(pid) != Some(pgid) {
            continue;
        }
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = fs::read_link(fd.path()) {
                let t = target.to_string_lossy();
                if let Some(inode) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                    inodes.insert(inode.to_string());
                }
            }
        }
    }
    inodes
}

/// The process group of `pid`, from /proc/<pid>/stat.
pub fn process_group(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    rest.split(' ').nth(2)?.parse().ok()
}

fn parse_addr(hex: &str, v6: bool) -> Option<SocketAddr> {
    let (ip, port) = hex.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = if v6 {
        let mut bytes = [0u8; 16];
        for (i, chunk) in bytes.chunks_mut(4).enumerate() {
            let word = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        let word = u32::from_str_radix(ip, 16).ok()?;
        IpAddr::V4(Ipv4Addr::from(word.to_ne_bytes()))
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_its_own_listener_and_its_address() {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        let me = std::process::id() as i32;
        let Some(pgid) = process_group(me) else {
            return;
        }; // not Linux
        let found = listening(pgid);
        assert!(
            found.contains(&SocketAddr::from(([127, 0, 0, 1], port))),
            "{found:?}"
        );
    }

    #[test]
    fn the_probe_tells_a_loopback_bind_from_a_wildcard_one() {
        let lo = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let Some(held) = wildcard_holds(lo.local_addr().unwrap().port()) else {
            return; // 127.0.0.2 is not bindable here (not Linux)
        };
        assert!(!held);
        let any = std::net::TcpListener::bind(("0.0.0.0", 0)).unwrap();
        assert_eq!(wildcard_holds(any.local_addr().unwrap().port()), Some(true));
        if let Ok(dual) = std::net::TcpListener::bind(("::", 0)) {
            assert_eq!(
                wildcard_holds(dual.local_addr().unwrap().port()),
                Some(true)
            );
        }
    }
}
