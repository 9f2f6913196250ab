#!/usr/bin/env python3
"""Start-to-registered time and idle memory of Hark, headless, against a
local Kamailio (the demo server), compared with baresip on the same server.

    cargo build --release --bin hark
    python3 benches/startup.py [--runs 20] [--hark target/release/hark]

Starts packaging/demo/run-demo.sh --server-only on a free port, then for each
run: starts `hark --headless`, measures the wall time from just before exec to
the `registered` event on stdout, waits 3 s idle, reads VmRSS, quits.
Prints the median and spread; the numbers go into BENCHMARKS.md.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_server(port):
    proc = subprocess.Popen(
        [os.path.join(REPO, "packaging/demo/run-demo.sh"), "--server-only"],
        env={**os.environ, "HARK_DEMO_PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    deadline = time.time() + 20
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "registrations:" in line:
            return proc
    sys.exit("demo server did not start:\n" + "".join(lines))


def run_hark(binary, port, work):
    cfg = os.path.join(work, "hark.toml")
    with open(cfg, "w") as f:
        f.write(f'[[account]]\naddress = "sip:alice@hark.test"\npassword = "demo"\n'
                f'server = "127.0.0.1:{port}"\n')
    os.chmod(cfg, 0o600)
    db = os.path.join(work, "hark.db")
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [binary, "--headless", "--no-keyring", "--config", cfg, "--database", db,
         "--socket", os.path.join(work, "control.sock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "HARK_LOG": "warn"},
    )
    elapsed = None
    for line in p.stdout:
        ev = json.loads(line)
        if ev.get("event") == "account_state" and ev.get("state") == "registered":
            elapsed = (time.perf_counter() - t0) * 1000
            break
        if ev.get("state") in ("failed", "retrying"):
            sys.exit(f"hark did not register: {line}")
    time.sleep(3)
    rss = rss_kib(p.pid)
    p.stdin.write('{"cmd":"quit"}\n')
    p.stdin.flush()
    p.wait(timeout=10)
    return elapsed, rss


def run_baresip(port, work):
    if not shutil.which("baresip"):
        return None, None
    conf = os.path.join(work, "baresip")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "accounts"), "w") as f:
        f.write(f"<sip:bob@hark.test>;auth_pass=demo;outbound=\"sip:127.0.0.1:{port}\";regint=600\n")
    with open(os.path.join(conf, "config"), "w") as f:
        f.write("module_path /usr/lib/baresip/modules\nsip_listen 127.0.0.1:0\n"
                "net_interface 127.0.0.1\naudio_player null\naudio_source null\n"
                "module stdio.so\nmodule account.so\n")
    t0 = time.perf_counter()
    p = subprocess.Popen(["baresip", "-4", "-f", conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = None
    deadline = time.time() + 10
    for line in p.stdout:
        if "200 OK" in line or "registered" in line.lower():
            elapsed = (time.perf_counter() - t0) * 1000
            break
        if time.time() > deadline:
            break
    time.sleep(3)
    rss = rss_kib(p.pid)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=8)
    except subprocess.TimeoutExpired:
        p.kill()
    return elapsed, rss


def summary(name, times, rss):
    times = sorted(t for t in times if t is not None)
    if not times:
        print(f"{name}: no data")
        return
    print(f"{name}: start->registered median {statistics.median(times):.1f} ms "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}, n={len(times)}); "
          f"idle RSS median {statistics.median(rss) / 1024:.1f} MiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--hark", default=os.path.join(REPO, "target/release/hark"))
    args = ap.parse_args()
    port = free_port()
    server = start_server(port)
    try:
        with tempfile.TemporaryDirectory() as work:
            ht, hr, bt, br = [], [], [], []
            for _ in range(args.runs):
                t, r = run_hark(args.hark, port, work)
                ht.append(t)
                hr.append(r)
            for _ in range(min(args.runs, 5)):
                t, r = run_baresip(port, work)
                if r:
                    bt.append(t)
                    br.append(r)
            summary("hark", ht, hr)
            summary("baresip", bt, br)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
