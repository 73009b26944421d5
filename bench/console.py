#!/usr/bin/env python3
"""The console benchmark: drives `modeldeck` in a pseudo-terminal at 80x24 on the
large-organisation store and reports time to first frame, keystroke-to-frame (median, p99) for
cursor moves and screen switches, bytes written to the terminal per cursor move, and peak RSS,
each beside its target.

    console.py MODELDECK_BIN STORE

The console writes a trace (MODELDECK_TRACE): one line per frame with the milliseconds from
reading the key to the end of the terminal update. This driver sends one key at a time, waits
for that frame's line, and counts the bytes that arrived on the terminal for it.
"""
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import time
import fcntl
import termios

TARGETS = {"first_ms": 50.0, "key_median_ms": 5.0, "bytes_per_move": 256, "rss_mb": 32.0}


class Console:
    def __init__(self, binary, store, trace):
        self.trace_path = trace
        self.t0 = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            env = dict(os.environ, TERM="xterm-256color", MODELDECK_TRACE=trace,
                       MODELDECK_USER="olga", LANG="C.UTF-8", LC_ALL="C.UTF-8")
            os.execve(binary, [binary, "--db", store], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.frames = 0
        self.trace_pos = 0

    def drain(self, wait=0.0):
        n = 0
        while True:
            r, _, _ = select.select([self.fd], [], [], wait)
            if not r:
                return n
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return n
            if not data:
                return n
            n += len(data)
            wait = 0.0

    def trace_lines(self):
        try:
            with open(self.trace_path) as f:
                f.seek(self.trace_pos)
                text = f.read()
        except FileNotFoundError:
            return []
        if not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]
        self.trace_pos += len(text)
        return [l.split() for l in text.splitlines() if l]

    def wait_frame(self, timeout=10.0):
        """Waits for the next frame line; returns (ms, bytes written for it)."""
        end = time.monotonic() + timeout
        got = 0
        while time.monotonic() < end:
            got += self.drain(0.002)
            for parts in self.trace_lines():
                if parts[0] == "first":
                    self.first_internal = float(parts[1])
                if parts[0] == "frame":
                    self.frames += 1
                    got += self.drain(0.0)
                    return float(parts[3]), got, int(parts[2])
        raise RuntimeError("no frame within %.0f s" % timeout)

    def key(self, k):
        """Sends k and waits for the frame it caused (frames the console draws on its own,
        once a second while idle, carry key -1 and are skipped)."""
        os.write(self.fd, k.encode())
        while True:
            ms, got, key = self.wait_frame()
            if key != -1:
                return ms, got

    def finish(self):
        os.write(self.fd, b"Q")
        end = time.monotonic() + 10
        rss = None
        while time.monotonic() < end and rss is None:
            self.drain(0.01)
            for parts in self.trace_lines():
                if parts[0] == "rss":
                    rss = int(parts[1])
        os.waitpid(self.pid, 0)
        return rss


def stats(xs):
    xs = sorted(xs)
    med = xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
    p99 = xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
    return med, p99, max(xs)


def main():
    binary, store = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        c = Console(binary, store, os.path.join(tmp, "trace"))
        c.wait_frame(20)
        first_ms = (time.monotonic() - c.t0) * 1000.0
        c.drain(0.2)
        results = {}
        # cursor moves on the registry (200 models)
        moves, move_bytes = [], []
        for k in "j" * 120 + "k" * 120:
            ms, b = c.key(k)
            moves.append(ms)
            move_bytes.append(b)
        results["registry cursor move"] = (moves, move_bytes)
        # the heatmap of the model with 300 features x 365 windows
        ms, _ = c.key(":drift bigmodel\r")  # the prompt reads the line itself: one frame
        results["open the 300x365 heatmap"] = ([ms], [])
        hm, hb = [], []
        for k in "hhhhhhhhhhjjjjjjjjjjllllllllllkkkkkkkkkk" * 3:
            ms, b = c.key(k)
            hm.append(ms)
            hb.append(b)
        results["heatmap cursor move"] = (hm, hb)
        # the incident queue with 50,000 incidents
        ms, _ = c.key("4")
        results["open the 50,000-incident queue"] = ([ms], [])
        im, ib = [], []
        for k in "j" * 60 + "k" * 60:
            ms, b = c.key(k)
            im.append(ms)
            ib.append(b)
        results["incident cursor move"] = (im, ib)
        # screen switches: the first visit reads the screen from the store; later ones show
        # what it holds and read again only when the store changed
        first, sw = [], []
        for rnd in range(6):
            for k in "12345678":
                ms, _ = c.key(k)
                (first if rnd == 0 else sw).append(ms)
        results["screen, first open"] = (first, [])
        results["screen switch"] = (sw, [])
        rss_kb = c.finish()

    def verdict(ok):
        return "PASS" if ok else "MISS"

    print("console on the large-organisation store (2,000 versions, 300 features x 365 windows,"
          " 50,000 incidents), 80x24")
    print("  %-34s %10s %10s %10s   %s" % ("", "median", "p99", "max", "target"))
    print("  %-34s %10.1f %10s %10s   <= %.0f ms %s" % (
        "time to first frame (ms)", first_ms, "", "", TARGETS["first_ms"],
        verdict(first_ms <= TARGETS["first_ms"])))
    for name, (ms, _) in results.items():
        med, p99, mx = stats(ms)
        if name == "screen, first open":
            print("  %-34s %10.3f %10s %10.3f" % (name + " (ms)", med, "", mx))
        elif len(ms) > 1:
            print("  %-34s %10.3f %10.3f %10.3f   <= %.0f ms median %s" % (
                name + " (ms)", med, p99, mx, TARGETS["key_median_ms"],
                verdict(med <= TARGETS["key_median_ms"])))
        else:
            print("  %-34s %10.3f" % (name + " (ms)", med))
    for name, (_, b) in results.items():
        if b:
            med, p99, mx = stats(b)
            print("  %-34s %10.0f %10.0f %10.0f   <= %d bytes median %s" % (
                name + " (bytes)", med, p99, mx, TARGETS["bytes_per_move"],
                verdict(med <= TARGETS["bytes_per_move"])))
    if rss_kb is not None:
        mb = rss_kb / 1024.0
        print("  %-34s %10.1f %10s %10s   <= %.0f MB %s" % (
            "peak RSS (MB)", mb, "", "", TARGETS["rss_mb"], verdict(mb <= TARGETS["rss_mb"])))


if __name__ == "__main__":
    main()
