"""`warm_up` readies every compiled loop a question can reach: after it, a real chronology's
questions (typed, misspelt, half typed, with hidden events, edits in the tail, and an index read
back from its snapshot) compile or load nothing more, so no question waits for numba."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter: loops other tests compiled here would hide one warm_up missed.
QUESTIONS = """
import json, random, sys, tempfile
from pathlib import Path

from bot.relevance.compiled import COMPILED
from bot.search.warming import warm_up

warm_up()
ready = {dispatcher.py_func.__qualname__: set(dispatcher.signatures) for dispatcher in COMPILED}

from benchmarks.generate import Writer
from benchmarks.queries import misspell
from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from bot.model.event import BUNDLED_SCOPE, Event, EventFields
from bot.search import snapshot
from bot.search.index import SearchIndex

rng = random.Random(5)
index = SearchIndex(count_from=0)  # common words left out wherever they may be
bundled = load_chronology(DEFAULT_DATA_FILE).events
index.add_all(Event(id=n, scope=BUNDLED_SCOPE, fields=f) for n, f in enumerate(bundled, 1))
writer = Writer(rng)
for number in range(len(bundled) + 1, len(bundled) + 2001):
    fields = writer.event(number, 1917).as_mapping() | {"id": f"event-{number}"}
    index.add(Event(id=number, scope=(111, 222)[number % 2], fields=EventFields.from_mapping(fields)))
index.ready()
titles = [fields.title for fields in bundled]

def ask(index):
    for title in rng.sample(titles, 40):
        for text in (title, misspell(title, rng)):
            index.search(text, (BUNDLED_SCOPE, 111), hidden=(3, 5, len(bundled) + 2))
            index.search(text, (BUNDLED_SCOPE,), limit=50)
            index.complete(text[: max(2, len(text) // 2)], (BUNDLED_SCOPE, 222))
            index.complete(text.split()[0][:3], (BUNDLED_SCOPE,), hidden=(1,))

ask(index)
fields = bundled[0].as_mapping() | {"title": "Kronstadt sailors' rising, retold"}
index.add(Event(id=1, scope=BUNDLED_SCOPE, fields=EventFields.from_mapping(fields)))  # in the tail
ask(index)
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "index"
    snapshot.write(snapshot.capture(index), path, {})
    ask(snapshot.load(path)[1])

new = {}
for dispatcher in COMPILED:
    name = dispatcher.py_func.__qualname__
    if added := [str(types) for types in dispatcher.signatures if types not in ready[name]]:
        new[name] = added
print(json.dumps(new))
"""


def test_after_warm_up_no_question_waits_for_a_loop_to_compile() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", QUESTIONS], cwd=ROOT, capture_output=True, text=True, timeout=280, check=False
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == {}
