"""harness.py - what the integration tests share: a throwaway database, the real
`sipas serve` on port 0, HTTP calls, and the CLI.

Environment (set by meson / scripts/test):
  SIPAS_BIN             the sipas binary under test
  SIPAS_TEST_ADMIN_URL  a superuser URL of the throwaway cluster (scripts/test makes it)
  SIPAS_VALGRIND=1      run sipas serve under valgrind (meson test --setup valgrind)

Waiting: the server does much on its own threads after the client has its reply (the access
log line, freeing an abandoned request's database session, the background fold), and CI runs
every test under valgrind too. A test never sleeps a fixed time to let something happen, nor
takes the next request as proof that the last one finished: it waits for the condition it
means with wait_for (or Server.wait_log, Server.wait_logged, wait_no_leaked_sessions), which
fails naming what it waited for and the last value seen.
"""
import collections
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIPAS = os.environ.get("SIPAS_BIN", os.path.join(ROOT, "build", "sipas"))
ADMIN_URL = os.environ.get("SIPAS_TEST_ADMIN_URL")
VALGRIND = os.environ.get("SIPAS_VALGRIND") == "1"
PG_BIN = "/usr/lib/postgresql/15/bin"
# How much longer things take when sipas runs under valgrind (10-50x slower CPU, but most
# waits are on PostgreSQL or the network): wait_for and Server scale their deadlines by it.
SLOW = 5 if VALGRIND else 1


def wait_for(probe, timeout, what, ok=bool, retry_on=()):
    """Polls probe() with a short back-off until ok(value) holds; returns that value.

    timeout is in seconds of a normal run: under valgrind it is multiplied by SLOW. Raises
    AssertionError naming what and the last value seen (or the last exception of retry_on)
    when the deadline passes first, so a wait never hides a condition that never comes."""
    limit = timeout * SLOW
    deadline = time.monotonic() + limit
    pause, seen, tries = 0.02, None, 0
    while True:
        tries += 1
        try:
            seen = probe()
            if ok(seen):
                return seen
        except retry_on as e:
            seen = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {limit:g}s ({tries} tries) waiting for {what}; "
                                 f"last seen: {seen!r}")
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, 0.5)


def require_db():
    if not ADMIN_URL:
        print("skipped: SIPAS_TEST_ADMIN_URL is not set (run scripts/test)")
        sys.exit(77)


def psql(url, sql, *args):
    """Runs SQL with psql; returns stdout (tuples only, unaligned, | separated)."""
    out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql, *args],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def db_url_for(admin_url, name):
    u = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


# What a database session left behind by a request looks like: a transaction nobody ends, or a
# COPY nobody finishes (the server's connection to PostgreSQL of an abandoned upload).
LEAKED_SESSIONS = ("SELECT pid || ' ' || coalesce(state, '-') || ' ' || left(query, 60) FROM pg_stat_activity"
                   " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                   " AND (state LIKE 'idle in transaction%' OR query LIKE 'COPY%')")


def wait_no_leaked_sessions(url, timeout=30, what="no session of the database left idle in transaction or in COPY"):
    """Waits until no session of the database at url is idle in a transaction or in a COPY (the
    server frees them on another thread once it notices the client is gone)."""
    wait_for(lambda: psql(url, LEAKED_SESSIONS).splitlines(), timeout, what, ok=lambda rows: rows == [])


class Database:
    """A fresh database in the throwaway cluster, dropped at close()."""

    def __init__(self, admin_url=None):
        self.admin = admin_url or ADMIN_URL
        self.name = "t_" + secrets.token_hex(6)
        psql(self.admin, f"CREATE DATABASE {self.name}")
        self.url = db_url_for(self.admin, self.name)

    def sql(self, q):
        return psql(self.url, q)

    def close(self):
        psql(self.admin, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def run_sipas(args, db_url=None, env=None, input=None, check=False, timeout=120):
    e = dict(os.environ)
    e.pop("SIPAS_DATABASE_URL", None)
    if db_url:
        e["SIPAS_DATABASE_URL"] = db_url
    if env:
        e.update(env)
    p = subprocess.run([SIPAS, *args], env=e, input=input, capture_output=True, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"sipas {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_opener = urllib.request.build_opener(NoRedirect)


class Server:
    """The real `sipas serve` on 127.0.0.1:0 against db_url."""

    def __init__(self, db_url, env=None, timeout=60):
        e = dict(os.environ)
        e.update({"SIPAS_DATABASE_URL": db_url, "SIPAS_LISTEN": "127.0.0.1:0",
                  "SIPAS_RATE_LIMIT": "0"})
        if env:
            e.update(env)
        cmd = [SIPAS, "serve"]
        if VALGRIND:
            cmd = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                   "--errors-for-leak-kinds=definite", "--track-origins=yes",
                   "--suppressions=" + os.path.join(ROOT, "tests", "valgrind.supp")] + cmd
        self.log = tempfile.NamedTemporaryFile(prefix="sipas-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=self.log, text=True)
        # the first line of stdout says where it listens; read it with a deadline, not forever
        first = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout * SLOW)
        line = first[0] if first else ""
        if not line.startswith("listening on http://"):
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"sipas serve did not start within {timeout * SLOW}s: {line!r}\n{self.read_log()}")
        self.url = line.split()[-1].strip()
        self.default_timeout = 60 if VALGRIND else 20
        self.answered = collections.Counter()     # (method, path) -> requests answered, for wait_logged
        self.answered_lock = threading.Lock()

    def read_log(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_log(self, pattern, timeout=30, what=None):
        """Waits until the server's log matches the regular expression pattern (the log is written
        by the server's threads, often after the client already has its reply); returns the match."""
        rx = re.compile(pattern)
        m = wait_for(lambda: rx.search(self.read_log()), timeout, what or f"the server log to match {pattern!r}")
        return m

    # an access line: "... info http.c:NNN: GET /path 200 1.234ms" (written when the request
    # completes, on the server's thread, after the reply went out)
    ACCESS = re.compile(r" info http\.c:\d+: ([A-Z]+) (\S*) \d+ \d+\.\d{3}ms")

    def logged(self):
        return collections.Counter(self.ACCESS.findall(self.read_log()))

    def wait_logged(self, timeout=30):
        """Waits until the log has an access line for every request answered through this object
        so far, so that what the log must (not) contain can be checked on the whole of it."""
        with self.answered_lock:
            want = dict(self.answered)

        def missing():
            got = self.logged()
            return {k: n - got[k] for k, n in want.items() if got[k] < n}
        wait_for(missing, timeout, "an access log line for every request answered", ok=lambda m: not m)

    def request(self, method, path, body=None, headers=None, token=None, timeout=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=h)
        try:
            with _opener.open(req, timeout=timeout or self.default_timeout) as r:
                resp = Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            resp = Response(e.code, e.headers, e.read())
        with self.answered_lock:
            self.answered[(method, urllib.parse.unquote(path.split("?")[0]))] += 1
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Stops the server; returns its exit status (valgrind errors make it 99). timeout is
        scaled by SLOW: valgrind's leak check at exit takes a while."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


def as_pg(args, **kw):
    """Runs a PostgreSQL server program as the postgres user when we are root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def free_port():
    """A port that was free a moment ago (found by binding port 0)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_on_free_port(server, failure):
    """Sets server.port to a free port and calls server.start(). The port may be taken by someone
    else before PostgreSQL binds it: then pg_ctl fails, and another port is tried (five in all);
    the last failure raises AssertionError(failure(CalledProcessError))."""
    for attempt in range(5):
        server.port = free_port()
        try:
            server.start()
            return
        except subprocess.CalledProcessError as e:
            if attempt == 4:
                raise AssertionError(failure(e))


class Cluster:
    """A private PostgreSQL cluster (for tests that stop and start the database)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sipas-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        as_pg([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
               "--locale=C.UTF-8"])
        start_on_free_port(self, lambda e: f"PostgreSQL did not start: {e.stderr}\n{self.read_pg_log()}")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        psql(self.admin_url, "CREATE DATABASE sipas")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/sipas"

    def start(self):
        as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w",
               "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"])

    def stop(self):
        as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    def read_pg_log(self):
        try:
            with open(os.path.join(self.dir, "log"), encoding="utf-8", errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def close(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    unittest.main(verbosity=2)
