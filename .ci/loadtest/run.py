"""Chancery under load: readers hit gunicorn while an import writes to the same database.

    python .ci/loadtest/run.py [--users 50] [--duration 60] [--database-url URL [--flush]]

Builds a fresh archive (the seed articles plus a few hundred generated ones), serves it
with gunicorn and DEBUG off, and runs the locust readers in `locustfile.py` against it
while `import_articles --publish` imports a few hundred more generated articles into the
same database. Passes only if no response was a 5xx, no request failed to connect or got
a status other than the one expected, and the import finished with no failed file.

The database is a new SQLite file in a temporary folder unless `--database-url` (or
`DATABASE_URL`) names another one; that one must be empty, or be given with `--flush`,
because the run empties it.

Locust's CSV statistics, its HTML report and the server's and the import's logs are
written to `--output` (a new temporary folder by default) for a look after a failure.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEEDS = ROOT / "tests" / "data" / "seeds"

# Generated articles: each combines seed paragraphs with a headline, a dated paper line
# and a sentence of its own, so that no two are the same story to the importer.
SUBJECTS = ["Tokyo", "Moscow", "Abe", "Putin", "Lavrov", "Kishida", "Beijing", "Washington", "Seoul", "Kyiv"]
VERBS = ["presses", "signals", "rejects", "weighs", "revives", "delays", "welcomes", "questions"]
OBJECTS = [
    "talks on the Kuril Islands",
    "a peace treaty with Japan",
    "joint economic activity on the islands",
    "visa-free visits to Etorofu",
    "sanctions over Crimea",
    "patrols near the Senkaku Islands",
    "a summit in Vladivostok",
    "fishing rights off Habomai",
    "a deal on the Northern Territories",
    "security guarantees for Hokkaido",
]
PAPERS = ["Yomiuri", "Asahi", "Nikkei", "Kommersant", "Izvestia"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


def _seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            block = " ".join(block.split())
            # Prose only: headlines, menus and credits are short.
            if len(block) > 120 and block[-1] in ".\"”’'":
                paragraphs.append(block)
    return paragraphs


def write_articles(folder: Path, count: int, *, start: int, seed: int) -> None:
    """`count` distinct plain-text articles numbered from `start`, as a reader copied them."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = _seed_paragraphs()
    rng = random.Random(seed)
    for n in range(start, start + count):
        year, month, day = rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28)
        title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        first, second = rng.sample(SUBJECTS, 2)
        own = (
            f"Officials said the round of consultations numbered {n} ended on {MONTHS[month - 1]} {day}, "
            f"{year}, with {first} and {second} agreeing to meet again."
        )
        paragraphs = rng.sample(pool, rng.randint(3, 7))
        paragraphs.insert(rng.randint(0, len(paragraphs)), own)
        paper = f"({rng.choice(PAPERS)}: {MONTHS[month - 1]} {day}, {year} – p. {rng.randint(1, 12)})"
        text = "\n\n".join([title, paper, *paragraphs]) + "\n"
        (folder / f"article_{n:05d}.txt").write_text(text, encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env, *args, log: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", *args]
    if log is None:
        return subprocess.run(command, cwd=ROOT, env=env, check=True)
    with log.open("w") as out:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _django(env, code: str) -> str:
    """Run `code` with Django set up against the run's database; its output."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def _table_count(env) -> int:
    code = "from django.db import connection; print(len(connection.introspection.table_names()))"
    return int(_django(env, code).split()[-1])


# The preloaded articles get the tags their text suggests, as an editor would accept them,
# so that actor and territory pages and facets have realistic numbers of articles.
ACCEPT_SUGGESTIONS = """
from archive.models import TagSuggestion
for suggestion in TagSuggestion.objects.filter(status=TagSuggestion.Status.PENDING):
    suggestion.accept()
"""


def _import_totals(log: Path) -> dict[str, int]:
    """The counts from the import's closing `Done: ...` line."""
    done = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("Done:")]
    if not done:
        return {}
    return {status: int(count) for count, status in re.findall(r"(\d+) (\w+)", done[-1])}


def _wait_for_port(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with status {server.returncode} before serving.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer on port {port} within {seconds:.0f} s.")


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="Concurrent readers (default 50).")
    parser.add_argument("--spawn-rate", type=float, default=10, help="Readers started per second (default 10).")
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load (default 60).")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3).")
    parser.add_argument("--articles", type=int, default=300, help="Generated articles loaded before the run.")
    parser.add_argument("--import-files", type=int, default=300, help="Generated articles imported during the run.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="Database to use (default: DATABASE_URL, else a new SQLite file). It is emptied.",
    )
    parser.add_argument("--flush", action="store_true", help="Empty the database even if it already has tables.")
    parser.add_argument("--output", type=Path, help="Folder for locust's CSV stats and the logs (default: a new one).")
    return parser.parse_args()


def main() -> int:
    args = _parse_args()
    work = Path(tempfile.mkdtemp(prefix="chancery-load-"))
    output = args.output or Path(tempfile.mkdtemp(prefix="chancery-load-report-"))
    output.mkdir(parents=True, exist_ok=True)
    try:
        return _run(args, work, output)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args, work: Path, output: Path) -> int:
    database_url = args.database_url or f"sqlite:///{work / 'load.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("LOG_LEVEL", None)

    print(f"== Database: {'SQLite (temporary)' if not args.database_url else database_url.split('@')[-1]}")
    if args.database_url and _table_count(env) and not args.flush:
        print("The database already has tables; the load test empties it. Give --flush to allow that.")
        return 2
    _manage(env, "migrate", "--noinput", "-v", "0")
    if args.flush:
        _manage(env, "flush", "--noinput", "-v", "0")
    _manage(env, "loaddata", "seed_archive", "-v", "0")

    preload, live = work / "preload", work / "live"
    write_articles(preload, args.articles, start=0, seed=1)
    write_articles(live, args.import_files, start=args.articles, seed=2)
    started = time.monotonic()
    result = _manage(env, "import_articles", "--publish", str(preload), log=output / "preload.log")
    totals = _import_totals(output / "preload.log")
    if result.returncode or totals.get("imported") != args.articles:
        print(f"Loading the archive failed: {totals or 'no summary'}; see {output / 'preload.log'}.")
        return 1
    _django(env, ACCEPT_SUGGESTIONS)
    print(f"== Archive: seed fixture plus {args.articles} published articles ({time.monotonic() - started:.0f} s)")

    # STATIC_ROOT is fixed in the settings; the manifest must exist there for DEBUG off.
    _manage(env, "collectstatic", "--noinput", "-v", "0")

    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server_log = (output / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "archive.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "60"],  # worker class and threads from gunicorn.conf.py
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_port(port, server)
        return _load(args, env, host, live, output)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()


def _load(args, env, host: str, live: Path, output: Path) -> int:
    outcomes = output / "outcomes.json"
    locust_env = {**env, "CHANCERY_LOAD_OUTCOMES": str(outcomes)}
    print(f"== Load: {args.users} readers for {args.duration} s on {host}, {args.workers} gunicorn workers")
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
         "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
         "--stop-timeout", "10", "--csv", str(output / "locust"), "--html", str(output / "locust.html"),
         "--only-summary", "--loglevel", "WARNING"],
        cwd=HERE, env=locust_env,
    )  # fmt: skip
    load_started = time.monotonic()
    # The import starts once every reader is running, so that it writes under full load.
    time.sleep(min(args.users / args.spawn_rate, args.duration / 4))
    import_started = time.monotonic()
    print(f"== Import: {args.import_files} articles with import_articles --publish, during the load")
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", "--publish", "-v", "1", str(live)],
        cwd=ROOT, env=env, stdout=(output / "import.log").open("w"), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    locust.wait()
    load_seconds = time.monotonic() - load_started
    import_rc = importer.wait()
    import_seconds = time.monotonic() - import_started
    import_totals = _import_totals(output / "import.log")

    counted = json.loads(outcomes.read_text()) if outcomes.exists() else {}
    server_text = (output / "gunicorn.log").read_text(errors="replace")
    import_text = (output / "import.log").read_text(errors="replace")
    locked = server_text.count("database is locked") + import_text.count("database is locked")
    overlap = min(import_started + import_seconds, load_started + load_seconds) - import_started

    print("\n== Summary")
    print(f"requests       {counted.get('requests')} in {load_seconds:.0f} s, {counted.get('requests_per_second')} req/s")
    print(
        f"response time  p50 {counted.get('p50_ms')} ms, p95 {counted.get('p95_ms')} ms, "
        f"p99 {counted.get('p99_ms')} ms, max {counted.get('max_ms')} ms"
    )
    print(f"statuses       {counted.get('statuses', {})}")
    print(
        f"failures       {counted.get('failures')} (5xx {counted.get('server_errors')}, "
        f"connection errors {counted.get('connection_errors')}, unexpected status {counted.get('unexpected')})"
    )
    print(f"import         {import_totals or 'no summary'} in {import_seconds:.0f} s, {overlap:.0f} s of it under load")
    # Django logs every 500 as "Internal Server Error: <path>"; other tracebacks in the log
    # are the 400s it logs as suspicious (too many parameters).
    crashes = server_text.count("Internal Server Error")
    print(f"logs           {crashes} server errors, {locked} 'database is locked'")
    print(f"reports        {output}")

    problems = []
    if not counted:
        problems.append("the readers' figures are missing (locust did not finish)")
    elif not counted["requests"]:
        problems.append("no requests were made")
    if counted.get("server_errors"):
        problems.append(f"{counted['server_errors']} responses were 5xx")
    if counted.get("connection_errors"):
        problems.append(f"{counted['connection_errors']} requests failed to connect or were cut off")
    if counted.get("failures"):
        problems.append(f"{counted['failures']} requests failed (see {output / 'locust_failures.csv'})")
    if import_rc or import_totals.get("failed", 1):
        problems.append(f"the import failed (exit status {import_rc}, {import_totals or 'no summary'})")
    elif import_totals.get("imported") != args.import_files:
        problems.append(f"the import did not import every file ({import_totals})")
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        return 1
    print("\nPASSED: no 5xx, no failed requests, the import finished with 0 failed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
