//! Which TCP addresses a process group listens on, read from Linux (the kernel's
//! socket table through sock_diag netlink, the owners through /proc), so a
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
    listeners(|inode, _| inodes.contains(&inode))
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

/// One look at the tree's fds and the socket table (about a millisecond; the
/// table is read through netlink because reading /proc/net/tcp costs ~4 ms on
/// some kernels, once per run). Nothing is found where there is no /proc.
pub fn inspect(root: i32, port: u16) -> Exposure {
    if fs::read_dir(format!("/proc/{root}/fd")).is_err() {
        return Exposure::default();
    }
    let inodes = tree_socket_inodes(root);
    let mut on_port = Vec::new();
    let wildcards = listeners(|inode, addr| {
        if addr.port() == port {
            on_port.push(inode);
        }
        addr.ip().is_unspecified() && (addr.port() == port || inodes.contains(&inode))
    });
    Exposure {
        wildcard: wildcards.into_iter().min_by_key(|a| a.port() != port),
        held_outside: !on_port.is_empty() && on_port.iter().all(|i| !inodes.contains(i)),
    }
}

/// Listening sockets of the system's tables that `keep(inode, address)` accepts.
fn listeners(mut keep: impl FnMut(u64, &SocketAddr) -> bool) -> Vec<SocketAddr> {
    let table = diag::listening().unwrap_or_else(|_| proc_net_listening());
    let mut out: Vec<SocketAddr> = table
        .into_iter()
        .filter(|(inode, addr)| keep(*inode, addr))
        .map(|(_, addr)| addr)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The same table from /proc/net/tcp{,6}: where netlink's sock_diag is missing.
fn proc_net_listening() -> Vec<(u64, SocketAddr)> {
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
                && let Ok(inode) = f[9].parse()
            {
                out.push((inode, addr));
            }
        }
    }
    out
}

/// The kernel's listening TCP sockets through `NETLINK_SOCK_DIAG`, as `ss -ltn`
/// reads them (see sock_diag(7)): one dump request per address family.
mod diag {
    use nix::sys::socket::{
        AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recv, sendto,
        setsockopt, socket, sockopt,
    };
    use nix::sys::time::TimeVal;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::os::fd::AsRawFd;

    const SOCK_DIAG_BY_FAMILY: u16 = 20;
    const NLM_F_REQUEST: u16 = 1;
    const NLM_F_DUMP: u16 = 0x300;
    const NLMSG_ERROR: u16 = 2;
    const NLMSG_DONE: u16 = 3;
    const TCP_LISTEN: u32 = 10;
    const HEADER: usize = 16;
    /// `struct inet_diag_msg`: family, state, timer, retrans, the socket id
    /// (48 bytes), expires, rqueue, wqueue, uid, inode.
    const MSG: usize = 72;

    pub fn listening() -> nix::Result<Vec<(u64, SocketAddr)>> {
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkSockDiag,
        )?;
        // The kernel answers a dump at once; the bound is for a kernel that does not.
        setsockopt(&fd, sockopt::ReceiveTimeout, &TimeVal::new(1, 0))?;
        let mut out = Vec::new();
        for family in [libc_af(AddressFamily::Inet), libc_af(AddressFamily::Inet6)] {
            let mut req = Vec::with_capacity(HEADER + 56);
            req.extend_from_slice(&((HEADER + 56) as u32).to_ne_bytes());
            req.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
            req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
            req.extend_from_slice(&[0; 8]); // sequence and port id
            req.extend_from_slice(&[family, 6, 0, 0]); // family, IPPROTO_TCP, no extensions
            req.extend_from_slice(&(1u32 << TCP_LISTEN).to_ne_bytes());
            req.extend_from_slice(&[0; 48]); // any socket id
            sendto(
                fd.as_raw_fd(),
                &req,
                &NetlinkAddr::new(0, 0),
                MsgFlags::empty(),
            )?;
            read_dump(fd.as_raw_fd(), &mut out)?;
        }
        Ok(out)
    }

    fn libc_af(f: AddressFamily) -> u8 {
        f as i32 as u8
    }

    fn read_dump(fd: i32, out: &mut Vec<(u64, SocketAddr)>) -> nix::Result<()> {
        let mut buf = vec![0u8; 32 * 1024];
        // A dump of many thousand sockets is a few hundred datagrams; stop well after.
        for _ in 0..4096 {
            let n = recv(fd, &mut buf, MsgFlags::empty())?;
            let mut at = 0;
            while at + HEADER <= n {
                let len = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap());
                if len < HEADER || at + len > n {
                    return Err(nix::Error::EBADMSG);
                }
                match kind {
                    NLMSG_DONE => return Ok(()),
                    NLMSG_ERROR => return Err(nix::Error::EPROTO),
                    _ if len >= HEADER + MSG => out.extend(parse(&buf[at + HEADER..at + len])),
                    _ => {}
                }
                at += (len + 3) & !3;
            }
        }
        Err(nix::Error::EOVERFLOW)
    }

    /// One `inet_diag_msg`: its local address and its inode.
    pub(super) fn parse(m: &[u8]) -> Option<(u64, SocketAddr)> {
        let port = u16::from_be_bytes([m[4], m[5]]);
        let src = &m[8..24];
        let ip = match m[0] as i32 {
            f if f == AddressFamily::Inet as i32 => {
                IpAddr::V4(Ipv4Addr::new(src[0], src[1], src[2], src[3]))
            }
            f if f == AddressFamily::Inet6 as i32 => {
                IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(src).ok()?))
            }
            _ => return None,
        };
        let inode = u32::from_ne_bytes(m[68..72].try_into().ok()?);
        Some((inode.into(), SocketAddr::new(ip, port)))
    }
}

/// Socket inodes held by `root` and its descendants (found through each
/// thread's `children`, without reading all of /proc).
fn tree_socket_inodes(root: i32) -> HashSet<u64> {
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

fn add_socket_inodes(pid: i32, inodes: &mut HashSet<u64>) {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return;
    };
    for fd in fds.flatten() {
        if let Ok(target) = fs::read_link(fd.path()) {
            let t = target.to_string_lossy();
            if let Some(inode) = t
                .strip_prefix("socket:[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
}

fn socket_inodes(pgid: i32) -> HashSet<u64> {
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
    fn netlink_and_proc_net_agree_on_a_listener() {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let v6 = std::net::TcpListener::bind(("::1", 0)).ok();
        let Ok(table) = diag::listening() else {
            return; // no sock_diag here: the /proc fallback is what runs
        };
        let proc = proc_net_listening();
        let mut ours = vec![l.local_addr().unwrap()];
        ours.extend(v6.map(|v| v.local_addr().unwrap()));
        for addr in ours {
            let by_netlink = table.iter().find(|(_, a)| *a == addr);
            assert!(by_netlink.is_some(), "{addr} not in {table:?}");
            assert_eq!(by_netlink, proc.iter().find(|(_, a)| *a == addr));
        }
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
