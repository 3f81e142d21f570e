//! Which TCP addresses a process group listens on, read from Linux's /proc, so a
//! verdict can say "it listens on 0.0.0.0" or "on port 3000 instead of PORT".
//! Elsewhere it finds nothing, and the checks that use it stay silent.

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The listening TCP sockets of every process in group `pgid`.
pub fn listening(pgid: i32) -> Vec<SocketAddr> {
    let inodes = socket_inodes(pgid);
    if inodes.is_empty() {
        return Vec::new();
    }
    listeners(|inode, _| inodes.contains(inode))
}

/// What the listening sockets say about a server that answers on `port`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    /// A wildcard address (0.0.0.0, ::) on any port held by the process `root`
    /// or its descendants, or on `port` held by anyone (the port was free when
    /// the run picked it, so whatever holds it now came from the server, even a
    /// process that left its group).
    pub wildcard: Option<SocketAddr>,
    /// The port answers, but no process of `root`'s tree holds its socket: a
    /// child that left the tree (a double fork), or another program.
    pub held_outside: bool,
}

/// One look at the tree's fds and the socket tables (well under a millisecond).
/// Nothing is found where there is no /proc.
pub fn inspect(root: i32, port: u16) -> Exposure {
    if fs::read_dir(format!("/proc/{root}/fd")).is_err() {
        return Exposure::default();
    }
    let inodes = tree_socket_inodes(root);
    let mut on_port = Vec::new();
    let wildcards = listeners(|inode, addr| {
        if addr.port() == port {
            on_port.push(inode.to_string());
        }
        addr.ip().is_unspecified() && (addr.port() == port || inodes.contains(inode))
    });
    Exposure {
        wildcard: wildcards.into_iter().min_by_key(|a| a.port() != port),
        held_outside: !on_port.is_empty() && on_port.iter().all(|i| !inodes.contains(i)),
    }
}

/// Listening sockets of the system's tables that `keep(inode, address)` accepts.
fn listeners(mut keep: impl FnMut(&str, &SocketAddr) -> bool) -> Vec<SocketAddr> {
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
                && let Some(addr) = parse_addr(f[1], v6)
                && keep(f[9], &addr)
            {
                out.push(addr);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Socket inodes held by `root` and its descendants (found through each
/// thread's `children`, without reading all of /proc).
fn tree_socket_inodes(root: i32) -> HashSet<String> {
    let mut inodes = HashSet::new();
    let mut todo = vec![root];
    let mut seen = HashSet::new();
    while let Some(pid) = todo.pop() {
        if !seen.insert(pid) || seen.len() > 256 {
            continue;
        }
        add_socket_inodes(pid, &mut inodes);
        if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                if let Ok(list) = fs::read_to_string(task.path().join("children")) {
                    todo.extend(
                        list.split_whitespace()
                            .filter_map(|p| p.parse::<i32>().ok()),
                    );
                }
            }
        }
    }
    inodes
}

fn add_socket_inodes(pid: i32, inodes: &mut HashSet<String>) {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return;
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
        add_socket_inodes(pid, &mut inodes);
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
    fn exposure_is_any_wildcard_of_the_tree_or_any_on_the_port() {
        let me = std::process::id() as i32;
        let lo = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = lo.local_addr().unwrap().port();
        if process_group(me).is_none() {
            return; // not Linux
        }
        assert_eq!(inspect(me, port).wildcard, None);
        // A wildcard listener of ours on another port (a metrics endpoint, say).
        let other = std::net::TcpListener::bind(("0.0.0.0", 0)).unwrap();
        let other_addr = other.local_addr().unwrap();
        assert_eq!(inspect(me, port).wildcard, Some(other_addr));
        drop(other);
        // IPv6 only, next to the loopback one, on the same port: held by "someone else" (pid 1's tree).
        if let Ok(v6) = socket2_v6only_any(port) {
            assert_eq!(inspect(1, port).wildcard.map(|a| a.port()), Some(port));
            drop(v6);
        }
        assert_eq!(inspect(me, port).wildcard, None);
    }

    /// A `[::]:port` listener with IPV6_V6ONLY, which leaves 127.0.0.1:port free.
    fn socket2_v6only_any(port: u16) -> std::io::Result<std::net::TcpListener> {
        use nix::sys::socket::{
            AddressFamily, Backlog, SockFlag, SockType, SockaddrIn6, bind, listen, setsockopt,
            socket, sockopt,
        };
        use std::os::fd::FromRawFd;
        let fd = socket(
            AddressFamily::Inet6,
            SockType::Stream,
            SockFlag::empty(),
            None,
        )?;
        setsockopt(&fd, sockopt::Ipv6V6Only, &true)?;
        let addr = SockaddrIn6::from(std::net::SocketAddrV6::new(
            Ipv6Addr::UNSPECIFIED,
            port,
            0,
            0,
        ));
        bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &addr)?;
        listen(&fd, Backlog::new(8).unwrap())?;
        // SAFETY: the fd is ours and open; the listener owns it from here on.
        Ok(unsafe { std::net::TcpListener::from_raw_fd(std::os::fd::IntoRawFd::into_raw_fd(fd)) })
    }
}
