"""The deployment's reverse proxy in front of the trial's instances: Debian's ``caddy`` with
the shipped ``deploy/cluster/Caddyfile`` (its upstreams pointed at the instances' ports,
served over plain HTTP on a free port), so that ``bench.crash_cluster --proxy caddy``
checks the file as deployed: round robin, the health checks on ``/health``, and a refused
connection tried again on the other instance (``lb_try_duration``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.crash import free_port

CADDYFILE = Path(__file__).resolve().parent.parent / "deploy" / "cluster" / "Caddyfile"
UPSTREAMS = ("muster-a:8080", "muster-b:8080")  # the compose file's service names


class NoCaddy(Exception):
    """Caddy is not installed, or did not start."""


def rendered(ports: Sequence[int]) -> str:
    """The shipped Caddyfile for instances on these local ports, with no admin endpoint
    and nothing saved in the user's home."""
    text = CADDYFILE.read_text(encoding="utf-8")
    for upstream, port in zip(UPSTREAMS, ports, strict=True):
        if upstream not in text:
            raise NoCaddy(f"{CADDYFILE}: no upstream {upstream} to point at the instance")
        text = text.replace(upstream, f"127.0.0.1:{port}")
    return "{\n\tadmin off\n}\n" + text


@contextmanager
def caddy_front(ports: Sequence[int], folder: Path, log: Path) -> Iterator[str]:
    """Caddy running the shipped file in front of ``ports``; yields the webhook URL."""
    caddy = shutil.which("caddy")
    if caddy is None:
        raise NoCaddy("--proxy caddy: no caddy on PATH (Debian: apt install caddy)")
    port = free_port()
    config = folder / "Caddyfile"
    config.write_text(rendered(ports), encoding="utf-8")
    env = {
        **os.environ,
        "BOT_HOST": f"http://127.0.0.1:{port}",  # the site address: plain HTTP, no TLS
        "XDG_DATA_HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder),
    }
    with log.open("ab") as out:
        proxy = subprocess.Popen(
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proxy.poll() is not None:
                raise NoCaddy(f"caddy exited with {proxy.returncode}; see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise NoCaddy(f"caddy did not listen on {port} within 15 s") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/telegram"
    finally:
        proxy.terminate()
        try:
            proxy.wait(10)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
