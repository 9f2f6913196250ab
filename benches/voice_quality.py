#!/usr/bin/env python3
"""Voice quality under loss and jitter (issue 5, item 8): the same call, Hark
to Hark and baresip to baresip, across an impaired link, scored with PESQ.

    CARGO_TARGET_DIR=/work/target-release cargo build --release --bin hark
    python3 -m venv /work/venv-pesq
    /work/venv-pesq/bin/pip install pesq numpy scipy soundfile
    sudo /work/venv-pesq/bin/python benches/voice_quality.py \\
        --hark /work/target-release/release/hark --runs 3 --codec opus --codec PCMU

This file owns the benchmark: the speech reference, the calls, the scoring
and the report. benches/netem_tun.py owns the impaired link.

- Reference: ~28 s of Harvard sentences (two voices) synthesised with
  espeak-ng, padded with 1 s of silence before and 1.5 s after, brought to
  48 kHz mono for the callers' microphones and to 16 kHz mono for PESQ.
- Network: two namespaces, caller 10.77.0.1 and callee 10.77.0.2, joined by
  netem_tun.py: on each direction 5 % of the UDP packets are lost and the
  rest held N(40 ms, 30 ms) each (like `netem loss 5% delay 40ms 30ms
  distribution normal`; this kernel has no sch_netem). Kamailio
  (tests/kamailio/kamailio.cfg via packaging/demo/run-demo.sh) runs in the
  caller's namespace on 10.77.0.1:5060; signalling to and from that port
  passes unimpaired, so every call gets set up, and only the media suffers.
  Each run has its own seed, the same for both clients, so both face the
  same loss and delay sequence (packet by packet in order of arrival).
- Run (per codec, per run, Hark then baresip): alice (caller, in the first
  namespace) calls bob (callee, auto-answer, in the second); alice's
  microphone plays the speech file once; bob's speaker is recorded (Hark:
  `output = "file:..."`, written by its media thread where a sound device
  would get it; baresip: below); after the speech and 1.5 s more, alice
  hangs up. bob's microphone is silence (Hark: `none`; baresip: a silent
  file longer than the call, as baresip 1.0 stops its audio when its file
  source ends).
  Both clients run with their shipped defaults except the codec list and
  the audio devices (baresip's from its own config template: jitter buffer
  5-10 frames, audio buffer 20-160 ms, opus_bitrate 28000, no FEC; Hark:
  Opus 32 kbit/s with in-band FEC, complexity 5, adaptive jitter buffer).
- baresip's speaker: its aufile module has no player in 1.0, so it plays
  to the null sink of a private PulseAudio, recorded through the sink's
  monitor (row `baresip`). Its sndfile module's decoder dump (before its
  audio buffer and the sound server) is scored too (row `baresip-dump`),
  and the goal is checked against both.
- Score: the recording is brought to 16 kHz mono, aligned to the reference
  by cross-correlation, cut to the reference's length, and scored with
  `pesq(16000, ref, deg, 'wb')` (P.862.2 wideband MOS-LQO); narrowband
  P.862 is printed beside it.

Installs nothing: a missing tool stops it with what to install. Needs root
(network namespaces, TUN). `--keep DIR` keeps the recordings and logs (the
callee Hark's log ends with its media counters: `call media ends`),
`--json FILE` writes every run's figures, `--input WAV` uses your own
speech, `--loss/--delay/--jitter` change the link.
"""
import argparse
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAIN = "hark.test"
PASSWORD = "demo"  # run-demo.sh's users: alice bob carol dave
IP_A, IP_B = "10.77.0.1", "10.77.0.2"
SIP_PORT = 5060
CTRL_PORT = 4444  # baresip's ctrl_tcp, on each namespace's own loopback
LEAD_S, TAIL_S = 1.0, 1.5

SENTENCES = [
    ("en-us", "The birch canoe slid on the smooth planks. Glue the sheet to the dark "
              "blue background. It's easy to tell the depth of a well. These days a "
              "chicken leg is a rare dish. Rice is often served in round bowls."),
    ("en-us+f3", "The juice of lemons makes fine punch. The box was thrown beside the "
                 "parked truck. The hogs were fed chopped corn and garbage. Four hours "
                 "of steady work faced us. A large size in stockings is hard to sell."),
]

APT = ("apt-get install iproute2 kamailio kamailio-sqlite-modules sqlite3 baresip espeak-ng sox "
       "pulseaudio pulseaudio-utils")
PIP = ("python3 -m venv /work/venv-pesq && /work/venv-pesq/bin/pip install pesq numpy "
       "scipy soundfile, then run this script with /work/venv-pesq/bin/python")


def die(msg):
    sys.exit(f"voice_quality: {msg}")


def check_prerequisites(args):
    missing = [t for t in ("ip", "kamailio", "kamcmd", "sqlite3", "baresip", "espeak-ng", "sox",
                           "pulseaudio", "pactl", "parec") if not shutil.which(t)]
    if missing:
        die(f"missing {', '.join(missing)}: {APT}")
    try:
        import numpy, scipy.signal, soundfile, pesq  # noqa: F401,E401
    except ImportError as e:
        die(f"missing Python module {e.name}: {PIP}")
    if os.geteuid() != 0:
        die("needs root (ip netns, TUN devices): run it with sudo")
    if not os.path.exists("/dev/net/tun"):
        die("no /dev/net/tun: the kernel needs CONFIG_TUN")
    if "hark" in args.clients and not os.access(args.hark, os.X_OK):
        die(f"no Hark binary at {args.hark}: cargo build --release --bin hark")


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- speech

def make_speech(work, source=None):
    """Writes the callers' input (48 kHz mono 16-bit), the 16 kHz reference
    and a silent input for the callees; returns (speech48, ref16, silence,
    seconds). `source`: a WAV file to use instead of the synthesised speech."""
    parts = [source] if source else []
    for i, (voice, text) in enumerate([] if source else SENTENCES):
        p = os.path.join(work, f"tts{i}.wav")
        sh("espeak-ng", "-v", voice, "-s", "150", "-w", p, text)
        parts.append(p)
    joined = os.path.join(work, "tts.wav")
    sh("sox", *parts, joined)
    speech48 = os.path.join(work, "speech48.wav")
    sh("sox", joined, "-r", "48000", "-c", "1", "-b", "16", speech48,
       "rate", "-v", "gain", "-n", "-3", "pad", str(LEAD_S), str(TAIL_S))
    ref16 = os.path.join(work, "ref16.wav")
    sh("sox", speech48, "-r", "16000", ref16, "rate", "-v")
    silence = os.path.join(work, "silence48.wav")
    # baresip 1.0 stops its audio (both ways) when its microphone file ends:
    # its callee gets silence for longer than the call. (Hark's callee gets
    # `none`: Hark reads a microphone file whole before the media starts,
    # and a long one would delay the callee's start.)
    seconds = float(sh("soxi", "-D", speech48).stdout)
    sh("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", silence, "trim", "0",
       str(int(seconds + 20)))
    return speech48, ref16, silence, seconds


# --------------------------------------------------------------- network

class Link:
    """The two namespaces and the impaired link between them."""

    def __init__(self, args, work):
        tag = f"{os.getpid() % 100000}"
        self.ns_a, self.ns_b = f"hvq{tag}a", f"hvq{tag}b"
        self.args, self.work = args, work
        self.proc = None

    def __enter__(self):
        for ns in (self.ns_a, self.ns_b):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "benches/netem_tun.py"),
             "--ns-a", self.ns_a, "--ns-b", self.ns_b, "--loss", str(self.args.loss),
             "--delay", str(self.args.delay), "--jitter", str(self.args.jitter),
             "--exempt-port", str(SIP_PORT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            die("netem_tun.py did not start")
        for ns, me, peer in ((self.ns_a, IP_A, IP_B), (self.ns_b, IP_B, IP_A)):
            sh("ip", "-n", ns, "addr", "add", me, "peer", peer, "dev", "hvq0")
            sh("ip", "-n", ns, "link", "set", "hvq0", "up")
            sh("ip", "-n", ns, "route", "add", "default", "dev", "hvq0")
        return self

    def epoch(self, seed):
        """Starts a new impairment sequence from `seed`; returns the
        counters of the one that ends."""
        self.proc.stdin.write(f"epoch {seed}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def __exit__(self, *exc):
        if self.proc:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        for ns in (self.ns_a, self.ns_b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def netns_popen(ns, cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", ns, *cmd], start_new_session=True, **kw)


def stop_group(proc, grace=8):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def start_kamailio(link, work):
    log = open(os.path.join(work, "kamailio.log"), "w")
    proc = netns_popen(
        link.ns_a, [os.path.join(REPO, "packaging/demo/run-demo.sh"), "--server-only"],
        env={**os.environ, "HARK_DEMO_IP": IP_A, "HARK_DEMO_PORT": str(SIP_PORT)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        log.write(line)
        if "registrations:" in line:
            threading.Thread(target=lambda: [log.write(x) for x in proc.stdout],
                             daemon=True).start()
            return proc
        if not line and proc.poll() is not None:
            break
    stop_group(proc)
    die(f"Kamailio did not start; see {log.name}")


# ------------------------------------------------------------------ Hark

class HarkProc:
    """`hark --headless` in a namespace, its JSON events in a queue."""

    def __init__(self, binary, ns, dirpath, user, calls_toml):
        os.makedirs(dirpath, exist_ok=True)
        self.dir = dirpath
        cfg = os.path.join(dirpath, "hark.toml")
        with open(cfg, "w") as f:
            f.write(f'[[account]]\naddress = "sip:{user}@{DOMAIN}"\npassword = "{PASSWORD}"\n'
                    f'server = "{IP_A}:{SIP_PORT}"\nbusy_lamp = false\n\n[calls]\n{calls_toml}')
        os.chmod(cfg, 0o600)
        self.events = queue.Queue()
        self.seen = []
        self.proc = netns_popen(
            ns, [binary, "--headless", "--no-keyring", "--config", cfg,
                 "--database", os.path.join(dirpath, "hark.db"),
                 "--socket", os.path.join(dirpath, "control.sock")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(os.path.join(dirpath, "hark.log"), "w"), text=True,
            env={**os.environ, "HARK_LOG": "info"})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                pass

    def send(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def wait(self, what, pred, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                ev = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(ev)
            if pred(ev):
                return ev
        raise RuntimeError(f"Hark: timed out waiting for {what}")

    def quit(self):
        try:
            self.send({"cmd": "quit"})
            self.proc.wait(timeout=12)
        except (OSError, subprocess.TimeoutExpired):
            pass
        stop_group(self.proc, 3)
        while not self.events.empty():
            self.seen.append(self.events.get())
        with open(os.path.join(self.dir, "events.jsonl"), "w") as f:
            f.writelines(json.dumps(e) + "\n" for e in self.seen)


def registered(ev):
    return ev.get("event") == "account_state" and ev.get("state") == "registered"


def call_phase(phase):
    return lambda ev: ev.get("event") == "call" and ev["call"].get("phase") == phase


def hark_call(args, link, run_dir, codec, speech, silence, seconds, _pulse):
    out = os.path.join(run_dir, "bob-speaker.wav")
    codecs = f'codecs = ["{codec}"]\n'
    bob = HarkProc(args.hark, link.ns_b, os.path.join(run_dir, "bob"), "bob",
                   f'{codecs}input = "none"\noutput = "file:{out}"\nauto_answer = true\n')
    alice = None
    try:
        bob.wait("bob registered", registered)
        alice = HarkProc(args.hark, link.ns_a, os.path.join(run_dir, "alice"), "alice",
                         f'{codecs}input = "file:{speech}"\noutput = "none"\n')
        alice.wait("alice registered", registered)
        alice.send({"cmd": "call", "uri": f"sip:bob@{DOMAIN}"})
        active = alice.wait("the call to be active", call_phase("active"))
        call_id = active["call"]["id"]
        used = active["call"].get("codec")
        time.sleep(seconds + TAIL_S)
        alice.send({"cmd": "call_control", "call": call_id, "action": {"op": "hangup"}})
        bob.wait("bob's call to end", call_phase("ended"))
        quality = [e for e in bob.seen if e.get("event") == "call_quality"]
        last = quality[-1] if quality else {}
        return out, {"codec": used, "received": last.get("packets_received"),
                     "concealed": last.get("concealed")}
    finally:
        for h in (alice, bob):
            if h:
                h.quit()


# --------------------------------------------------------------- baresip

BARESIP_CONFIG = """\
# baresip's own template (baresip -f on an empty directory, 1.0.0) for
# everything that touches the audio path; devices, codecs and control ours.
poll_method		epoll
sip_listen		{ip}:{sip_port}
net_interface		hvq0
call_local_timeout	120
call_max_calls		4
audio_player		{player}
audio_source		{source}
audio_alert		aufile,/dev/null
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		1
auplay_channels		1
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
audio_buffer		20-160
rtp_tos			184
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		no
opus_bitrate		28000
module_path		/usr/lib/baresip/modules
module			g711.so
module			opus.so
module			aufile.so
module			pulse.so
module			sndfile.so
snd_path		{dir}
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:{ctrl}
"""

BARESIP_CODECS = {"opus": "opus/48000/2", "PCMU": "PCMU/8000"}


class BaresipProc:
    def __init__(self, ns, dirpath, user, ip, source, player, codec, auto, env):
        os.makedirs(dirpath, exist_ok=True)
        self.ns, self.dir = ns, dirpath
        with open(os.path.join(dirpath, "config"), "w") as f:
            f.write(BARESIP_CONFIG.format(ip=ip, sip_port=SIP_PORT + 2, player=player,
                                          source=source, ctrl=CTRL_PORT, dir=dirpath))
        with open(os.path.join(dirpath, "accounts"), "w") as f:
            f.write(f'<sip:{user}@{DOMAIN}>;auth_pass={PASSWORD};outbound="sip:{IP_A}:{SIP_PORT}"'
                    f';regint=300;audio_codecs={BARESIP_CODECS[codec]}'
                    f';answermode={"auto" if auto else "manual"}\n')
        open(os.path.join(dirpath, "contacts"), "w").close()
        self.log_path = os.path.join(dirpath, "baresip.log")
        self.proc = netns_popen(ns, ["baresip", "-4", "-v", "-f", dirpath],
                                stdin=subprocess.DEVNULL, stdout=open(self.log_path, "w"),
                                stderr=subprocess.STDOUT, env={**os.environ, **env})

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, what, text, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text.lower() in self.log().lower():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"baresip: timed out waiting for {what}; see {self.log_path}")

    def command(self, cmd, params=None):
        """One ctrl_tcp command (netstring JSON), sent from inside the
        namespace (its loopback is not ours)."""
        msg = {"command": cmd, "token": "vq", **({"params": params} if params else {})}
        body = json.dumps(msg)
        code = ("import socket,sys;s=socket.create_connection(('127.0.0.1',%d),3);"
                "s.sendall(sys.argv[1].encode());s.settimeout(3);print(s.recv(4096))" % CTRL_PORT)
        subprocess.run(["ip", "netns", "exec", self.ns, sys.executable, "-c", code,
                        f"{len(body)}:{body},"], check=True, capture_output=True, timeout=10)

    def quit(self):
        stop_group(self.proc, 8)


def baresip_call(args, link, run_dir, codec, speech, silence, seconds, pulse):
    """baresip's speaker is the null sink of our PulseAudio (its aufile
    module has no player in 1.0), recorded through the sink's monitor; its
    sndfile module's decoder dump (`dump-*-dec.wav`: the decoder's output,
    before baresip's audio buffer) is scored too."""
    out = os.path.join(run_dir, "bob-speaker.wav")
    bob_dir = os.path.join(run_dir, "bob")
    bob = BaresipProc(link.ns_b, bob_dir, "bob", IP_B, f"aufile,{silence}",
                      "pulse,nullsink", codec, auto=True, env=pulse.env)
    alice = recorder = None
    try:
        bob.wait_log("bob registered", "200 OK")
        alice = BaresipProc(link.ns_a, os.path.join(run_dir, "alice"), "alice", IP_A,
                            f"aufile,{speech}", "pulse,callersink", codec, auto=False,
                            env=pulse.env)
        alice.wait_log("alice registered", "200 OK")
        recorder = pulse.record(out)
        alice.command("dial", f"sip:bob@{DOMAIN}")
        alice.wait_log("the call to be established", "call established")
        time.sleep(seconds + TAIL_S)
        alice.command("hangup")
        bob.wait_log("bob's call to end", "terminated")
    finally:
        for b in (alice, bob):
            if b:
                b.quit()
        if recorder:
            recorder.stop()
    dumps = [f for f in os.listdir(bob_dir) if f.endswith("-dec.wav")]
    extra = {"dump": os.path.join(bob_dir, dumps[0])} if dumps else {}
    return out, {"codec": codec, **extra}


class Pulse:
    """A private PulseAudio with a null sink (baresip's speaker)."""

    def __init__(self, work):
        root = os.path.join(work, "pulse")
        for d in ("home/.config/pulse", "run/pulse"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        os.chmod(os.path.join(root, "run"), 0o700)
        os.chmod(os.path.join(root, "run/pulse"), 0o700)
        with open(os.path.join(root, "home/.config/pulse/client.conf"), "w") as f:
            f.write("autospawn = no\n")
        self.env = {"HOME": os.path.join(root, "home"), "XDG_RUNTIME_DIR": os.path.join(root, "run"),
                    "PULSE_RUNTIME_PATH": os.path.join(root, "run/pulse"),
                    "PULSE_SERVER": f"unix:{root}/run/native",
                    "PULSE_CLIENTCONFIG": os.path.join(root, "home/.config/pulse/client.conf")}
        self.proc = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
             "--use-pid-file=no", "--system=no", "-n", "--log-target=stderr",
             f"--load=module-native-protocol-unix socket={root}/run/native auth-anonymous=1",
             "--load=module-null-sink sink_name=nullsink rate=48000 channels=1",
             "--load=module-null-sink sink_name=callersink rate=48000 channels=1",
             "--load=module-always-sink"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(root, "pulseaudio.log"), "w"),
            env={**os.environ, **self.env}, start_new_session=True)
        deadline = time.time() + 15
        while subprocess.run(["pactl", "info"], capture_output=True,
                             env={**os.environ, **self.env}).returncode != 0:
            if time.time() > deadline:
                stop_group(self.proc)
                die(f"PulseAudio did not start; see {root}/pulseaudio.log")
            time.sleep(0.1)

    def record(self, wav):
        return Recording(wav, self.env)

    def stop(self):
        stop_group(self.proc, 5)


class Recording:
    """parec on the null sink's monitor, 48 kHz mono, written as WAV at stop."""

    def __init__(self, wav, env):
        self.wav, self.raw = wav, wav + ".raw"
        self.proc = subprocess.Popen(
            ["parec", "-d", "nullsink.monitor", "--rate=48000", "--channels=1",
             "--format=s16le", "--latency-msec=20", "--raw"],
            stdin=subprocess.DEVNULL, stdout=open(self.raw, "wb"), stderr=subprocess.DEVNULL,
            env={**os.environ, **env})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        sh("sox", "-t", "raw", "-r", "48000", "-e", "signed", "-b", "16", "-c", "1",
           self.raw, self.wav)


# --------------------------------------------------------------- scoring

def load16(path):
    import numpy as np
    import soundfile as sf
    from scipy.signal import resample_poly
    x, rate = sf.read(path, dtype="float64", always_2d=True)
    x = x.mean(axis=1)
    if rate != 16000:
        g = np.gcd(int(rate), 16000)
        x = resample_poly(x, 16000 // g, int(rate) // g)
    return x


def score(ref16, recording):
    """(wideband PESQ, narrowband PESQ, offset in s) of `recording`."""
    import numpy as np
    from pesq import pesq
    from scipy.signal import correlate
    ref = load16(ref16)
    rec = load16(recording)
    # The recording may start after the speech did (a callee whose media
    # starts after the caller's): lags of either sign.
    corr = correlate(rec, ref, mode="full", method="fft")
    lag = int(np.argmax(corr)) - (len(ref) - 1)
    if lag < 0:
        rec = np.concatenate([np.zeros(-lag), rec])
    deg = rec[max(lag, 0):max(lag, 0) + len(ref)]
    deg = np.concatenate([deg, np.zeros(len(ref) - len(deg))])
    return pesq(16000, ref, deg, "wb"), pesq(16000, ref, deg, "nb"), lag / 16000


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hark", default=os.path.join(REPO, "target/release/hark"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--codec", action="append", choices=sorted(BARESIP_CODECS),
                    help="opus (default) and/or PCMU; repeat for both")
    ap.add_argument("--clients", default="hark,baresip")
    ap.add_argument("--loss", type=float, default=5.0)
    ap.add_argument("--delay", type=float, default=40.0)
    ap.add_argument("--jitter", type=float, default=30.0)
    ap.add_argument("--seed", default="hark-vq")
    ap.add_argument("--input", help="a speech WAV file instead of the synthesised one")
    ap.add_argument("--keep", help="keep recordings and logs in this directory")
    ap.add_argument("--json", help="write every run's figures here")
    args = ap.parse_args()
    args.clients = [c for c in args.clients.split(",") if c]
    codecs = args.codec or ["opus"]
    check_prerequisites(args)

    work = args.keep or tempfile.mkdtemp(prefix="hark-vq-")
    os.makedirs(work, exist_ok=True)
    speech, ref16, silence, seconds = make_speech(work, args.input)
    print(f"speech: {seconds:.1f} s; link: loss {args.loss} %, delay {args.delay} ms "
          f"± {args.jitter} ms (normal) each way", flush=True)
    calls = {"hark": hark_call, "baresip": baresip_call}
    results = []
    pulse = Pulse(work)
    try:
        with Link(args, work) as link:
            kam = start_kamailio(link, work)
            try:
                for codec in codecs:
                    for run in range(args.runs):
                        for client in args.clients:
                            results += one_run(args, link, pulse, calls[client], client, codec,
                                               run, work, speech, ref16, silence, seconds)
            finally:
                stop_group(kam, 15)
    finally:
        pulse.stop()
    summarize(results, codecs, args.clients)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def one_run(args, link, pulse, call, client, codec, run, work, speech, ref16, silence, seconds):
    """One call; its rows (baresip's decoder dump is a row of its own)."""
    run_dir = os.path.join(work, f"{codec}-{run}-{client}")
    os.makedirs(run_dir, exist_ok=True)
    link.epoch(f"{args.seed}-{codec}-{run}")
    base = {"codec": codec, "run": run, "client": client}
    try:
        rec, info = call(args, link, run_dir, codec, speech, silence, seconds, pulse)
        net = link.epoch("idle")
        wb, nb, offset = score(ref16, rec)
    except Exception as e:  # one failed call must not end the bench
        link.epoch("idle")
        print(f"{codec} run {run} {client}: FAILED: {e}", flush=True)
        return [{**base, "error": str(e)}]
    rows = [{**base, "pesq_wb": wb, "pesq_nb": nb, "offset_s": offset, "link": net, **info}]
    if "dump" in info:
        dwb, dnb, doff = score(ref16, info["dump"])
        rows.append({**base, "client": f"{client}-dump", "pesq_wb": dwb, "pesq_nb": dnb,
                     "offset_s": doff, "link": net})
    lost = {k: f"{v['dropped']}/{v['impaired']}" for k, v in net.items()}
    for r in rows:
        print(f"{codec} run {run} {r['client']:12} PESQ-WB {r['pesq_wb']:.3f}  "
              f"NB {r['pesq_nb']:.3f}  (dropped {lost}, reordered a->b "
              f"{net['a_to_b']['reordered']}, {info})", flush=True)
    return rows


def summarize(results, codecs, clients):
    clients = clients + [f"{c}-dump" for c in clients
                         if any(r["client"] == f"{c}-dump" for r in results)]
    print("\n| codec | client | runs | PESQ-WB mean | min | max | PESQ-NB mean |")
    print("|---|---|---|---|---|---|---|")
    means = {}
    for codec in codecs:
        for client in clients:
            ok = [r for r in results if r["codec"] == codec and r["client"] == client
                  and "pesq_wb" in r]
            if not ok:
                print(f"| {codec} | {client} | 0 | - | - | - | - |")
                continue
            wb = [r["pesq_wb"] for r in ok]
            nb = [r["pesq_nb"] for r in ok]
            means[(codec, client)] = statistics.mean(wb)
            print(f"| {codec} | {client} | {len(ok)} | {statistics.mean(wb):.2f} | "
                  f"{min(wb):.2f} | {max(wb):.2f} | {statistics.mean(nb):.2f} |")
    for codec in codecs:
        h = means.get((codec, "hark"))
        for other, what in (("baresip", "speaker"), ("baresip-dump", "decoder dump")):
            b = means.get((codec, other))
            if h is not None and b is not None:
                verdict = "met" if h >= b + 0.3 else "NOT met"
                print(f"{codec}: Hark - baresip ({what}) = {h - b:+.2f} (goal +0.30: {verdict})")

if __name__ == "__main__":
    main()
