#!/usr/bin/env python3
"""Presence load, end to end: 5,000 contacts on one real presence server
(issue item 10). Python 3 stdlib only.

    CARGO_TARGET_DIR=/work/target-release cargo build --release --bin hark
    python3 benches/presence_load.py --hark /work/target-release/release/hark \
        [--contacts 5000] [--sipp-limit 32] [--busy-lamp on|off]

What it does:

1. Starts a private Kamailio (tests/kamailio/kamailio.cfg, WITH_PRESENCE +
   WITH_PRESENCE_OPEN: every watcher allowed) on a free loopback port, with
   a fresh SQLite database (Debian's schemas, WAL mode) holding N+1
   subscribers: `watcher` and user0000..userN-1.
2. SIPp publishes an initial status for the N users (benches/sipp/
   publish_presence.xml, injection CSV, digest auth): note "round 1".
3. Creates Hark's store (one start and quit of Hark), fills its contacts
   table with the N users, starts release Hark headless as `watcher`, and
   measures from just before exec until Hark's `presence` events have
   carried the "round 1" status of every contact.  VmRSS of Hark then.
4. SIPp republishes a new status for all N (SIP-If-Match on the round-1
   publications: note "round 2", activity away) as fast as Kamailio takes
   them (at most --sipp-limit PUBLISH transactions open at once), and we
   measure from SIPp's start until Hark has reported all N changes; SIPp's
   own run time is reported too, so the reader sees which part is the
   server's rate and which is Hark's.

CPU seconds of Hark and of Kamailio's processes in each phase are reported
(from /proc/PID/stat) to show who was busy.  Everything runs on the same
machine: SIPp, Kamailio, Hark and this script share its cores.
"""
import argparse
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KAMAILIO_CFG = os.path.join(REPO, "tests/kamailio/kamailio.cfg")
SCHEMA_DIR = "/usr/share/kamailio/db_sqlite"
SCHEMAS = ["standard", "auth_db", "usrloc", "registrar", "presence"]
SCENARIO = os.path.join(REPO, "benches/sipp/publish_presence.xml")
DOMAIN = "hark.test"
PASSWORD = "secret"
WATCHER = "watcher"
# A second watcher for the server-pace reference run (SIPp subscribing).
REF_WATCHER = "sippwatcher"
SUBSCRIBE_SCENARIO = os.path.join(REPO, "benches/sipp/subscribe_presence.xml")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    # Kamailio listens on UDP and TCP with the same number: both must be free.
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()


def user(i):
    return f"user{i:04d}"


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """utime + stime of one process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def group_pids(pgid):
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] not in "ZX":
            pids.append(int(name))
    return pids


def group_cpu(pgid):
    """{pid: cpu seconds} of every live process of a group."""
    return {pid: cpu_seconds(pid) for pid in group_pids(pgid)}


def options_ping(port, timeout=0.1):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(timeout)
    local = s.getsockname()
    tag = os.urandom(6).hex()
    msg = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{tag};rport\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag={tag}\r\n"
           f"To: <sip:127.0.0.1:{port}>\r\nCall-ID: {tag}@127.0.0.1\r\n"
           f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    try:
        s.sendto(msg.encode(), ("127.0.0.1", port))
        data = s.recv(4096)
        return data.startswith(b"SIP/2.0 ")
    except OSError:
        return False
    finally:
        s.close()


class Kamailio:
    def __init__(self, work, users, shm_mb, pkg_mb):
        self.work = work
        self.run = os.path.join(work, "run")
        os.makedirs(self.run)
        self.db = os.path.join(work, "kamailio.sqlite")
        self.log = os.path.join(work, "kamailio.log")
        self.port = free_port()
        self.shm_mb, self.pkg_mb = shm_mb, pkg_mb
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA journal_mode=WAL")
        for schema in SCHEMAS:
            with open(f"{SCHEMA_DIR}/{schema}-create.sql") as f:
                con.executescript(f.read())
        con.executemany(
            "INSERT INTO subscriber (username, domain, password) VALUES (?, ?, ?)",
            [(u, DOMAIN, PASSWORD) for u in users])
        con.commit()
        con.close()
        self.proc = None

    def start(self):
        ctl = os.path.join(self.run, "kamailio_ctl")
        defines = [
            "LISTEN_IP=127.0.0.1", f"UDP_PORT={self.port}", f"TCP_PORT={self.port}",
            f'SIP_DOMAIN="{DOMAIN}"', f'DBURL="sqlite:///{self.db}"',
            f'CTL_SOCKET="unix:{ctl}"', 'AUTH_ALGORITHM="MD5"',
            "WITH_PRESENCE", f'SERVER_URI="sip:127.0.0.1:{self.port}"',
            "WITH_PRESENCE_OPEN",
        ]
        cmd = ["kamailio", "-f", KAMAILIO_CFG, "-DD", "-E",
               "-m", str(self.shm_mb), "-M", str(self.pkg_mb),
               "-Y", self.run, "-P", os.path.join(self.run, "kamailio.pid"), "-w", self.run]
        for d in defines:
            cmd += ["-A", d]
        self.command = " ".join(cmd)
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(cmd, cwd=self.run, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit("kamailio exited:\n" + self.tail())
            if options_ping(self.port):
                return
        self.stop()
        sys.exit("kamailio did not answer OPTIONS:\n" + self.tail())

    def tail(self, n=40):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def cpu(self):
        return group_cpu(self.proc.pid)

    def count(self, table):
        con = sqlite3.connect(self.db, timeout=5)
        try:
            return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            con.close()

    def stop(self):
        if not self.proc:
            return
        pgid = self.proc.pid
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.time() + 5
        while group_pids(pgid) and time.time() < deadline:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.proc = None


def run_sipp(kam, work, name, rows, note, activity, limit):
    """One PUBLISH per row; returns (seconds, {user: etag}, ok, output)."""
    d = os.path.join(work, f"sipp-{name}")
    os.makedirs(d)
    csv = os.path.join(d, "users.csv")
    with open(csv, "w") as f:
        f.write("SEQUENTIAL\n")
        for u, header in rows:
            f.write(f"{u};[authentication username={u} password={PASSWORD}];{header}\n")
    logs = os.path.join(d, "logs.log")
    cmd = ["sipp", "-sf", SCENARIO, "-inf", csv, "-m", str(len(rows)),
           "-l", str(limit), "-r", "100000", "-rp", "1000",
           "-key", "domain", DOMAIN, "-key", "note", note, "-key", "activity", activity,
           "-i", "127.0.0.1", "-nostdin", "-trace_logs", "-log_file", logs,
           "-trace_err", "-error_file", os.path.join(d, "errors.log"),
           "-timeout", "600s", "-timeout_error", f"127.0.0.1:{kam.port}"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - t0
    etags = {}
    try:
        with open(logs, errors="replace") as f:
            for line in f:
                parts = line.strip().split(";", 1)
                if len(parts) == 2 and parts[1].strip():
                    etags[parts[0]] = parts[1].strip()
    except OSError:
        pass
    out = p.stdout.decode(errors="replace")
    return elapsed, etags, p.returncode == 0, out, " ".join(cmd)


def run_sipp_subscribe(kam, work, users, limit):
    """SIPp as a watcher: one SUBSCRIBE (+ first NOTIFY) per user."""
    d = os.path.join(work, "sipp-subscribe")
    os.makedirs(d)
    csv = os.path.join(d, "targets.csv")
    with open(csv, "w") as f:
        f.write("SEQUENTIAL\n")
        for u in users:
            f.write(f"{u};[authentication username={REF_WATCHER} password={PASSWORD}]\n")
    cmd = ["sipp", "-sf", SUBSCRIBE_SCENARIO, "-inf", csv, "-m", str(len(users)),
           "-l", str(limit), "-r", "100000", "-rp", "1000", "-s", REF_WATCHER,
           "-key", "domain", DOMAIN, "-i", "127.0.0.1", "-nostdin",
           "-trace_err", "-error_file", os.path.join(d, "errors.log"),
           "-timeout", "600s", "-timeout_error", f"127.0.0.1:{kam.port}"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return time.perf_counter() - t0, p.returncode == 0, " ".join(cmd)


class Hark:
    """Release Hark headless; a thread timestamps every stdout line."""

    def __init__(self, binary, work, port, busy_lamp=True):
        self.binary = binary
        self.work = work
        self.cfg = os.path.join(work, "hark.toml")
        with open(self.cfg, "w") as f:
            f.write(f'[[account]]\naddress = "sip:{WATCHER}@{DOMAIN}"\n'
                    f'password = "{PASSWORD}"\nserver = "127.0.0.1:{port}"\n'
                    f'busy_lamp = {"true" if busy_lamp else "false"}\n')
        os.chmod(self.cfg, 0o600)
        self.db = os.path.join(work, "hark.db")
        self.proc = None
        self.lines = queue.Queue()

    def command(self):
        return [self.binary, "--headless", "--no-keyring", "--config", self.cfg,
                "--database", self.db, "--socket", os.path.join(self.work, "control.sock")]

    def start(self):
        self.stderr = open(os.path.join(self.work, "hark.stderr"), "ab")
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, env={**os.environ, "HARK_LOG": "warn"})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put((time.perf_counter(), line))
        self.lines.put((time.perf_counter(), None))

    def events(self, timeout):
        """(arrival time, event) until `timeout` seconds pass without one."""
        while True:
            try:
                t, line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return
            if line is None:
                return
            try:
                yield t, json.loads(line)
            except ValueError:
                continue

    def send(self, obj):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.stdin.flush()

    def quit(self, timeout=20):
        try:
            self.send({"cmd": "quit"})
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def create_store(binary, work, port, contacts, busy_lamp):
    """Lets Hark create its store, then fills the contacts table."""
    h = Hark(binary, work, port, busy_lamp)
    h.start()
    for _, ev in h.events(timeout=15):
        if ev.get("event") == "started":
            break
    h.quit()
    con = sqlite3.connect(h.db, timeout=5)
    account = f"sip:{WATCHER}@{DOMAIN}"
    con.execute("DELETE FROM contacts WHERE account = ?", (account,))
    con.executemany(
        "INSERT INTO contacts (account, uri, display_name, grp) VALUES (?, ?, ?, ?)",
        [(account, f"sip:{u}@{DOMAIN}", f"Colleague {u[4:]}", f"Department {i % 12:02d}")
         for i, u in enumerate(contacts)])
    con.commit()
    con.close()


def wait_for(hark, want_note, wanted, limit, marks=(0.5, 0.9, 0.99)):
    """Reads events until every contact in `wanted` showed `want_note`.

    Returns (time of completion or None, first time, {fraction: time},
    number of presence events, number of updates)."""
    seen = {}
    kinds = {}
    first = None
    events = updates = 0
    at = {}
    deadline = time.perf_counter() + limit
    for t, ev in hark.events(timeout=max(1.0, deadline - time.perf_counter())):
        if ev.get("event") != "presence":
            if time.perf_counter() > deadline:
                break
            continue
        events += 1
        for u in ev.get("updates", []):
            updates += 1
            c = u.get("contact")
            if c in wanted and c not in seen and u.get("note") == want_note:
                seen[c] = t
                a = u.get("availability")
                kinds[a] = kinds.get(a, 0) + 1
                if first is None:
                    first = t
                for m in marks:
                    if m not in at and len(seen) >= m * len(wanted):
                        at[m] = t
        if len(seen) == len(wanted):
            print(f"  (as reported: {kinds})")
            return t, first, at, events, updates, seen
        if time.perf_counter() > deadline:
            break
    return None, first, at, events, updates, seen


def fmt(seconds):
    return "-" if seconds is None else f"{seconds:.3f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hark", default="/work/target-release/release/hark")
    ap.add_argument("--contacts", type=int, default=5000)
    ap.add_argument("--sipp-limit", type=int, default=32,
                    help="PUBLISH transactions SIPp keeps open at once")
    ap.add_argument("--shm", type=int, default=256, help="Kamailio shared memory, MB")
    ap.add_argument("--pkg", type=int, default=16, help="Kamailio private memory, MB")
    ap.add_argument("--timeout", type=float, default=600, help="per phase, seconds")
    ap.add_argument("--busy-lamp", choices=["on", "off"], default="on",
                    help="Hark's busy_lamp account setting (on, the default, adds a "
                         "dialog-event SUBSCRIBE per contact)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    for tool in ("kamailio", "sipp"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install kamailio "
                     "kamailio-presence-modules kamailio-sqlite-modules sip-tester)")
    if not os.access(args.hark, os.X_OK):
        sys.exit(f"no Hark binary at {args.hark}")

    n = args.contacts
    users = [user(i) for i in range(n)]
    work = tempfile.mkdtemp(prefix="hark-load-", dir="/tmp")
    kam = Kamailio(work, [WATCHER, REF_WATCHER] + users, args.shm, args.pkg)
    hark = None
    try:
        kam.start()
        print(f"kamailio on 127.0.0.1:{kam.port} (-m {args.shm} -M {args.pkg}), "
              f"{n + 1} subscribers, work dir {work}")

        # Round 1: every user publishes an initial status.
        secs, etags, ok, out, cmd1 = run_sipp(
            kam, work, "initial", [(u, "X-Bench: initial") for u in users],
            "round 1", "", args.sipp_limit)
        print(f"SIPp initial PUBLISH x{n}: {secs:.2f} s ({n / secs:.0f}/s), "
              f"ok={ok}, etags={len(etags)}, presentity rows={kam.count('presentity')}")
        missing = [u for u in users if u not in etags]
        if missing:
            # A PUBLISH can time out when the machine is busy: once more.
            _, more, _, out, _ = run_sipp(
                kam, work, "initial-retry", [(u, "X-Bench: initial") for u in missing],
                "round 1", "", args.sipp_limit)
            etags.update(more)
            print(f"  {len(missing)} failed, published again: {len(more)} ok")
        if len(etags) < n:
            print(out[-3000:])
            sys.exit("the initial publications did not all succeed")

        # Hark's store with the contacts.
        create_store(args.hark, work, kam.port, users, args.busy_lamp == "on")

        # Phase 1: start Hark, wait for everyone's round-1 status.
        wanted = {f"sip:{u}@{DOMAIN}" for u in users}
        hark = Hark(args.hark, work, kam.port, args.busy_lamp == "on")
        cpu_k0 = kam.cpu()
        hark.start()
        done, first, marks, nev, nupd, seen = wait_for(hark, "round 1", wanted, args.timeout)
        t_end = time.perf_counter()
        cpu_h1 = cpu_seconds(hark.proc.pid)
        cpu_k1 = kam.cpu()
        if done is None:
            print(f"phase 1 incomplete: {len(seen)}/{n} contacts after {args.timeout} s")
            print(kam.tail())
            sys.exit(1)
        p1 = done - hark.t0
        print(f"\nPhase 1: start Hark with {n} contacts (busy_lamp {args.busy_lamp}) "
              "until it reported all their presence")
        print(f"  first contact's presence {fmt(first - hark.t0)}, "
              + ", ".join(f"{int(m * 100)}% {fmt(t - hark.t0)}" for m, t in sorted(marks.items()))
              + f", all {fmt(p1)}")
        print(f"  {nev} presence events, {nupd} updates "
              f"({n / p1:.0f} contacts/s)")
        k_total = sum(cpu_k1.get(p, 0) - cpu_k0.get(p, 0) for p in cpu_k1)
        k_max = max((cpu_k1.get(p, 0) - cpu_k0.get(p, 0), p) for p in cpu_k1)
        print(f"  CPU in the phase ({t_end - hark.t0:.2f} s wall): Hark {cpu_h1:.2f} s, "
              f"Kamailio {k_total:.2f} s (busiest process pid {k_max[1]}: {k_max[0]:.2f} s)")
        time.sleep(2)
        rss = proc_status(hark.proc.pid, "VmRSS")
        hwm = proc_status(hark.proc.pid, "VmHWM")
        print(f"  Hark VmRSS with {n} contacts subscribed: {rss / 1024:.1f} MiB "
              f"(peak VmHWM {hwm / 1024:.1f} MiB); active_watchers rows "
              f"{kam.count('active_watchers')}")

        # Phase 2: everyone changes status; SIPp as fast as Kamailio goes.
        rows = [(u, f"SIP-If-Match: {etags[u]}") for u in users]
        # drain whatever is queued (late duplicates) before timing
        for _ in hark.events(timeout=0.5):
            pass
        cpu_h0 = cpu_seconds(hark.proc.pid)
        cpu_k0 = kam.cpu()
        result = {}

        def sipp_thread():
            result["t0"] = time.perf_counter()
            result["r"] = run_sipp(kam, work, "change", rows, "round 2",
                                   "<rpid:away/>", args.sipp_limit)
            result["t1"] = time.perf_counter()

        th = threading.Thread(target=sipp_thread)
        th.start()
        while "t0" not in result:
            time.sleep(0.001)
        done, first, marks, nev, nupd, seen = wait_for(hark, "round 2", wanted, args.timeout)
        th.join()
        cpu_h1 = cpu_seconds(hark.proc.pid)
        cpu_k1 = kam.cpu()
        secs2, _, ok2, out2, cmd2 = result["r"]
        t0 = result["t0"]
        print(f"\nPhase 2: all {n} change status (SIPp republish, at most "
              f"{args.sipp_limit} PUBLISHes in flight)")
        print(f"  SIPp republish x{n}: {secs2:.2f} s ({n / secs2:.0f}/s), ok={ok2}")
        if done is None:
            print(f"  Hark incomplete: {len(seen)}/{n} changes after {args.timeout} s")
        else:
            print(f"  Hark: first change {fmt(first - t0)}, "
                  + ", ".join(f"{int(m * 100)}% {fmt(t - t0)}" for m, t in sorted(marks.items()))
                  + f", all {fmt(done - t0)} after SIPp's start "
                  f"({fmt(done - result['t1'])} after SIPp's end)")
        print(f"  {nev} presence events, {nupd} updates")
        k_total = sum(cpu_k1.get(p, 0) - cpu_k0.get(p, 0) for p in cpu_k1)
        k_max = max((cpu_k1.get(p, 0) - cpu_k0.get(p, 0), p) for p in cpu_k1)
        print(f"  CPU in the phase: Hark {cpu_h1 - cpu_h0:.2f} s, Kamailio {k_total:.2f} s "
              f"(busiest process {k_max[0]:.2f} s)")
        rss2 = proc_status(hark.proc.pid, "VmRSS")
        print(f"  Hark VmRSS after the changes: {rss2 / 1024:.1f} MiB "
              f"(peak VmHWM {proc_status(hark.proc.pid, 'VmHWM') / 1024:.1f} MiB)")
        if not ok2:
            print(out2[-2000:])

        # Reference: the server's pace for new subscriptions, with SIPp as
        # the watcher (same limit in flight as Hark's MAX_IN_FLIGHT, 32).
        hark_cmd = hark.command()
        t = time.perf_counter()
        hark.quit()
        hark_quit = time.perf_counter() - t
        hark = None
        cpu_k0 = kam.cpu()
        secs3, ok3, cmd3 = run_sipp_subscribe(kam, work, users, args.sipp_limit)
        cpu_k1 = kam.cpu()
        k_total = sum(cpu_k1.get(p, 0) - cpu_k0.get(p, 0) for p in cpu_k1)
        print(f"\nHark quit (un-SUBSCRIBE of {n}) took {hark_quit:.2f} s")
        print(f"Reference: SIPp as a watcher, SUBSCRIBE + first NOTIFY x{n} "
              f"({args.sipp_limit} in flight): {secs3:.2f} s ({n / secs3:.0f}/s), ok={ok3}; "
              f"Kamailio CPU {k_total:.2f} s")
        print(f"\nkamailio: {kam.command}\nsipp publish: {cmd2}\nsipp subscribe: {cmd3}"
              f"\nhark: {' '.join(hark_cmd)}")
    finally:
        if hark and hark.proc:
            t = time.perf_counter()
            hark.quit()
            print(f"Hark quit (un-SUBSCRIBE of {n}) took {time.perf_counter() - t:.2f} s")
        kam.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
