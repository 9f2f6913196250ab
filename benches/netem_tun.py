#!/usr/bin/env python3
"""A user-space netem between two network namespaces, for
benches/voice_quality.py: the impaired link that both clients' calls cross.

    netem_tun.py --ns-a NS_A --ns-b NS_B [--loss 5] [--delay 40] [--jitter 30]
                 [--seed 1] [--exempt-port 5060] [--stats FILE]

It owns one TUN device in each namespace (`hvq0`, created here, addressed
by the caller with `ip`), and forwards every IP packet read from one to the
other. IPv4 UDP packets (the calls' RTP and RTCP), except those from or to
an `--exempt-port` (the registrar's, so signalling is not lost), get what
`tc qdisc add ... netem loss 5% delay 40ms 30ms distribution normal` gives
on each direction of a veth pair: each is dropped with probability
`--loss` %, independently, and otherwise held for max(0, N(delay, jitter))
ms, each packet on its own (so packets can overtake each other, as with
netem's jitter when no rate is set). Everything else passes at once.

Why not netem itself: the kernels of the machines this was written on have
no sch_netem (`tc qdisc add ... netem` answers "Specified qdisc kind is
unknown"), but they do have TUN. A seeded generator per direction also
makes the impairment repeatable: the same `--seed` drops and delays the
same packets by order of arrival, for each client in turn.

Prints `ready` on stdout once both devices exist. A line `epoch SEED` on
stdin starts a new impairment sequence from SEED: it prints the counters of
the one that ends (JSON, one line) and zeroes them. At the end of stdin, on
SIGTERM or SIGINT it writes its counters to `--stats` and exits. Needs root
(setns).
"""
import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
DEVICE = "hvq0"


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            sys.exit(f"netem_tun: setns({name}): {os.strerror(err)} (run as root)")
    finally:
        os.close(fd)


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def udp_ports(packet):
    """(source port, destination port) of an IPv4 UDP packet, else None."""
    if len(packet) < 20 or packet[0] >> 4 != 4 or packet[9] != 17:
        return None
    ihl = (packet[0] & 0x0F) * 4
    if len(packet) < ihl + 4:
        return None
    return struct.unpack_from("!HH", packet, ihl)


class Direction:
    """One way of the link: its own random stream and counters."""

    def __init__(self, name, out_fd, args):
        self.name = name
        self.out_fd = out_fd
        self.reseed(args.seed)
        self.loss = args.loss / 100.0
        self.delay = args.delay / 1000.0
        self.jitter = args.jitter / 1000.0
        self.exempt = set(args.exempt_port)

    def reseed(self, seed):
        self.rng = random.Random(f"{seed}-{self.name}")
        self.stats = {"impaired": 0, "dropped": 0, "passed": 0, "reordered": 0,
                      "delay_ms_sum": 0.0}
        self.last_due = 0.0

    def schedule(self, packet, now):
        """When to deliver `packet` (None: drop it)."""
        ports = udp_ports(packet)
        if ports is None or ports[0] in self.exempt or ports[1] in self.exempt:
            self.stats["passed"] += 1
            return now
        self.stats["impaired"] += 1
        # Draw both numbers for every packet so a drop does not shift the
        # delays of the packets after it.
        lost = self.rng.random() < self.loss
        held = max(0.0, self.rng.gauss(self.delay, self.jitter))
        if lost:
            self.stats["dropped"] += 1
            return None
        due = now + held
        if due < self.last_due:
            self.stats["reordered"] += 1
        self.last_due = max(self.last_due, due)
        self.stats["delay_ms_sum"] += held * 1000
        return due


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ns-a", required=True)
    ap.add_argument("--ns-b", required=True)
    ap.add_argument("--loss", type=float, default=5.0, help="percent, each direction")
    ap.add_argument("--delay", type=float, default=40.0, help="mean one-way delay, ms")
    ap.add_argument("--jitter", type=float, default=30.0, help="standard deviation, ms")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--exempt-port", type=int, action="append", default=[])
    ap.add_argument("--stats")
    args = ap.parse_args()

    enter_netns(args.ns_a)
    fd_a = open_tun(DEVICE)
    enter_netns(args.ns_b)
    fd_b = open_tun(DEVICE)
    ways = {fd_a: Direction("a_to_b", fd_b, args), fd_b: Direction("b_to_a", fd_a, args)}

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)

    queue = []  # (due, order, out_fd, packet)
    order = 0
    commands = b""
    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out_fd, packet = heapq.heappop(queue)
            try:
                os.write(out_fd, packet)
            except OSError:
                pass  # device down (namespace going away)
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            ready, _, _ = select.select([fd_a, fd_b, 0], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        if 0 in ready:
            data = os.read(0, 4096)
            if not data:
                break
            commands += data
            while b"\n" in commands:
                line, commands = commands.split(b"\n", 1)
                words = line.decode().split()
                if len(words) == 2 and words[0] == "epoch":
                    print(json.dumps({w.name: w.stats for w in ways.values()}), flush=True)
                    for w in ways.values():
                        w.reseed(words[1])
        for fd in ready:
            if fd == 0:
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                way = ways[fd]
                due = way.schedule(packet, now)
                if due is not None:
                    order += 1
                    heapq.heappush(queue, (due, order, way.out_fd, packet))

    stats = {w.name: w.stats for w in ways.values()}
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f)


if __name__ == "__main__":
    main()
