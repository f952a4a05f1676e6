"""Load from `wrk` (a C load generator, so the measuring side is not Python), parsed into figures."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def wrk(url: str, token: str, *, connections: int = 32, seconds: int = 8, script: str | None = None) -> LoadResult:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make bench installs it with apt-get)")
    args = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if script:
            path = Path(tmp) / "script.lua"
            path.write_text(script)
            args += ["-s", str(path)]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return LoadResult(rps, _ms(latency["50"]), _ms(latency["99"]), total, errors)


CREATE_SCRIPT = """
-- Globals, not locals: thread:set() writes each thread's global "tid" (a local would shadow it).
threads = 0
counter = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"owner":"ajuntament-barcelona","code":"LOAD-%s-%s-%d","title":{"en":"Load"},' ..
    '"visibility":"published","partner_cities":[{"name":"Maputo","country":"MZ"}],' ..
    '"sdg_goals":[{"goal":"11","share":"100"}]}', RUN, tid, counter)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- keeps -H Authorization
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, body)
end
"""
