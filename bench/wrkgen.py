"""The ``wrk`` load generator: C threads with one keep-alive connection each, scripted in Lua.

One connection per thread lets the script pair each answer with its request, so it times every
request itself (LuaJIT FFI, monotonic clock) and keeps the raw latencies. wrk's own latency
figures are not used: they add coordinated-omission corrections that a closed loop does not
want, and they count non-200 answers and late ones as normal. wrk also drops the requests still
running when its time is up; so the script stops each thread after its first answer past the
duration and says so on stderr, and wrk is told to stop (SIGINT) once every thread is idle, or
the timeout has passed. The rules are those of ``loadgen.py``, so the numbers mean the same as
the asyncio generator's.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from loadgen import Cell, children_cpu
from workload import Request

SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1000000
end

local specs = @SPECS@
local timeout_ms = @TIMEOUT_MS@
local duration_ms = @DURATION_MS@
local connections = @CONNECTIONS@
local prepared = {}
local position = 0
local deadline = 0
started = -1
begun = -1
finished = -1
latencies = {}
failures = 0
timeouts = 0

local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, spec in ipairs(specs) do
    prepared[i] = wrk.format(spec[1], spec[2], spec[3], spec[4])
  end
  position = (offset or 0) * math.floor(#prepared / connections)
  begun = now_ms()
  deadline = begun + duration_ms
end

function request()
  position = position % #prepared + 1
  started = now_ms()
  return prepared[position]
end

function response(status, headers, body)
  local now = now_ms()
  local elapsed = now - started
  started = -1
  if status ~= 200 then
    failures = failures + 1
  elseif elapsed > timeout_ms then
    timeouts = timeouts + 1
  else
    latencies[#latencies + 1] = elapsed
  end
  if now >= deadline then
    finished = now
    wrk.thread:stop()
    io.stderr:write("BENCH-IDLE\\n")
    io.stderr:flush()
  end
end

function done(summary, latency, requests)
  local now = now_ms()
  local e = summary.errors
  io.write(string.format("BENCH-SOCKET-ERRORS %d %d %d\\n", e.connect, e.read, e.write))
  for _, thread in ipairs(threads) do
    local pending = 0
    if thread:get("started") >= 0 then pending = 1 end
    local ended = thread:get("finished")
    if ended < 0 then ended = now end
    io.write(string.format("BENCH-THREAD %d %d %d %.3f %.3f ", thread:get("failures"),
      thread:get("timeouts"), pending, thread:get("begun"), ended))
    io.write(table.concat(thread:get("latencies"), ","), "\\n")
  end
end
"""


def lua_string(text: str | bytes) -> str:
    """A Lua string literal of ``text`` (bytes outside printable ASCII as ``\\ddd``)."""
    data = text.encode() if isinstance(text, str) else text
    return '"' + "".join(_lua_char(b) for b in data) + '"'


def _lua_char(byte: int) -> str:
    if 32 <= byte < 127 and chr(byte) not in '"\\':
        return chr(byte)
    return f"\\{byte:03d}"


def lua_spec(request: Request) -> str:
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in request.headers)
    body = lua_string(request.body) if request.method != "GET" else "nil"
    return f"{{{lua_string(request.method)}, {lua_string(request.target)}, {{{headers}}}, {body}}}"


def script(requests: Sequence[Request], *, connections: int, duration: int, timeout: float) -> str:
    specs = "{\n" + ",\n".join(lua_spec(r) for r in requests) + "\n}"
    return (
        SCRIPT.replace("@SPECS@", specs)
        .replace("@TIMEOUT_MS@", str(timeout * 1000))
        .replace("@DURATION_MS@", str(duration * 1000))
        .replace("@CONNECTIONS@", str(connections))
    )


def parse(output: str, wall: float, cpu: float) -> Cell:
    """The cell measured by one wrk run, from the lines its ``done`` wrote."""
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    begun: list[float] = []
    ended: list[float] = []
    for line in output.splitlines():
        if line.startswith("BENCH-SOCKET-ERRORS "):
            _, connect, read, write = line.split()
            kinds.update(connect=int(connect), read=int(read), write=int(write))
        elif line.startswith("BENCH-THREAD "):
            _, status, late, pending, start, end, *rest = line.split(" ")
            kinds.update(status=int(status), timeout=int(late) + int(pending))
            begun.append(float(start))
            ended.append(float(end))
            latencies += [float(v) for v in rest[0].split(",") if v] if rest else []
    seconds = (max(ended) - min(begun)) / 1000 if begun else wall
    errors = {kind: n for kind, n in kinds.items() if n}
    return Cell(len(latencies), sum(errors.values()), seconds, latencies, cpu / wall, errors)


def _wait_idle(process: subprocess.Popen[bytes], threads: int, limit: float) -> None:
    """Wait until every wrk thread said it is idle (or ``limit`` passed), then stop wrk."""
    assert process.stderr is not None
    deadline = time.monotonic() + limit
    idle = 0
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while idle < threads and time.monotonic() < deadline and process.poll() is None:
            if selector.select(timeout=0.1):
                idle += os.read(process.stderr.fileno(), 65536).count(b"BENCH-IDLE")
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # wrk stops its threads and reports


class WrkGenerator:
    """Runs ``wrk`` (https://github.com/wg/wrk) with a generated Lua script."""

    name = "wrk"

    def __init__(self, executable: str) -> None:
        self._wrk = executable
        version = subprocess.run([executable, "-v"], capture_output=True, text=True, check=False)
        self.name = version.stdout.split("Copyright")[0].strip() or "wrk"

    @staticmethod
    def find() -> WrkGenerator | None:
        executable = shutil.which("wrk")
        return WrkGenerator(executable) if executable else None

    def run(
        self,
        host: str,
        port: int,
        requests: Sequence[Request],
        *,
        concurrency: int,
        duration: int,
        timeout: float,
    ) -> Cell:
        limit = duration + timeout + 2
        with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
            lua = Path(tmp) / "workload.lua"
            lua.write_text(
                script(requests, connections=concurrency, duration=duration, timeout=timeout)
            )
            command = [self._wrk, f"-t{concurrency}", f"-c{concurrency}", f"-d{limit + 3:.0f}s"]
            command += ["-s", str(lua), f"http://{host}:{port}/"]
            cpu, start = children_cpu(), time.perf_counter()
            with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as wrk:
                try:
                    _wait_idle(wrk, concurrency, limit)
                    out, err = wrk.communicate(timeout=60)
                except BaseException:
                    wrk.kill()
                    raise
            wall = time.perf_counter() - start
        text = out.decode(errors="replace")
        if "BENCH-THREAD" not in text:
            raise RuntimeError(f"wrk failed ({wrk.returncode}): {err.decode() or text}")
        return parse(text, wall, children_cpu() - cpu)
