"""index / search / dedup: behaviour a corpus user relies on."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from made_up import article as _article
from retold.cli import main
from retold.dedup import dedup, write_rows
from retold.indexer import index_paths
from retold.search import search
from retold.store import SQLiteStore
from retold.types import Relation

ROOT = Path(__file__).resolve().parent.parent


def _write_jsonl(path: Path, docs: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> dict[str, str]:
    rng = random.Random(7)
    docs = {f"doc{i:03d}": _article(rng) for i in range(60)}
    a = docs["doc001"]
    docs["copy-exact"] = a
    docs["copy-boiler"] = (
        "Sign up to our newsletter for the latest updates | Share: Facebook | X | Email\n\n" + a
    )
    lines = a.split("\n\n")
    docs["copy-edit"] = "\n\n".join([*lines[:3], lines[3].replace(".", ", officials said.", 1), *lines[4:]])
    return docs


def _store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "idx.db")


def test_index_search_finds_planted_copies(tmp_path: Path, corpus: dict[str, str]) -> None:
    src = _write_jsonl(tmp_path / "c.jsonl", [{"id": k, "text": v} for k, v in corpus.items()])
    store = _store(tmp_path)
    report = index_paths([src], store)
    assert report.added == len(corpus) and not report.skipped
    hits = search(store, corpus["doc001"]).hits
    ids = {h.id: h for h in hits}
    assert {"doc001", "copy-exact", "copy-boiler", "copy-edit"} <= set(ids)
    assert ids["doc001"].relation is Relation.IDENTICAL and ids["copy-exact"].relation is Relation.IDENTICAL
    assert ids["copy-boiler"].relation is Relation.REPUBLISH
    assert ids["copy-edit"].relation in (Relation.NEAR_DUPLICATE, Relation.LIGHT_EDIT)
    assert ids["copy-boiler"].direction["source"] == "query"  # the scraper copy carries boilerplate
    # unrelated documents are not hits
    assert not any(h.id.startswith("doc") and h.id != "doc001" for h in hits)
    store.close()


def test_rerun_indexes_nothing_twice_and_changed_text_is_bad_input(
    tmp_path: Path, corpus: dict[str, str]
) -> None:
    src = _write_jsonl(tmp_path / "c.jsonl", [{"id": k, "text": v} for k, v in corpus.items()])
    store = _store(tmp_path)
    index_paths([src], store)
    again = index_paths([src], store)
    assert again.added == 0 and again.already == len(corpus)
    changed = _write_jsonl(
        tmp_path / "d.jsonl", [{"id": "doc005", "text": "A different text about the harbour."}]
    )
    with pytest.raises(Exception, match=r"d\.jsonl.*duplicate id 'doc005'"):
        index_paths([changed], store)
    skipped = index_paths([changed], store, on_error="skip")
    assert skipped.added == 0 and len(skipped.skipped) == 1
    assert store.count() == len(corpus)
    store.close()


def test_dedup_families_are_verified_stars_not_chains(tmp_path: Path) -> None:
    rng = random.Random(11)
    p = [_article(rng, 2).split("\n\n", 1)[1] for _ in range(6)]  # six distinct two-paragraph blocks
    docs = {
        "a": "Alpha story\n\n" + p[0] + "\n\n" + p[1],
        "b": "Bravo story\n\n" + p[1] + "\n\n" + p[2],  # shares p1 with a
        "c": "Charlie story\n\n" + p[2] + "\n\n" + p[3],  # shares p2 with b, nothing with a
        "d": "Delta story\n\n" + p[4] + "\n\n" + p[5],
    }
    dated = [{"id": k, "text": v, "date": f"2024-01-0{i + 1}"} for i, (k, v) in enumerate(docs.items())]
    src = _write_jsonl(tmp_path / "c.jsonl", dated)
    store = _store(tmp_path)
    index_paths([src], store)
    rows = {r.id: r for r in dedup(store).rows}
    assert rows["a"].relation == "original" and rows["b"].original == "a"
    assert rows["c"].cluster != rows["a"].cluster, "c must not join a's family through b"
    assert rows["d"].cluster == "d" and rows["d"].relation == "original"
    store.close()


def test_dedup_original_is_earliest_dated(tmp_path: Path, corpus: dict[str, str]) -> None:
    text = corpus["doc002"]
    docs = [
        {"id": "late", "text": text, "date": "2024-05-02"},
        {
            "id": "early",
            "text": "Subscribe to our newsletter | Share on Facebook | X\n\n" + text,
            "date": "2024-05-01",
        },
        {"id": "undated", "text": text},
    ]
    src = _write_jsonl(tmp_path / "c.jsonl", docs)
    store = _store(tmp_path)
    index_paths([src], store)
    rows = {r.id: r for r in dedup(store).rows}
    assert {r.original for r in rows.values()} == {"early"}
    assert rows["late"].relation == "republish" and rows["undated"].relation == "republish"
    assert rows["late"].cluster == rows["early"].cluster == "early"
    store.close()


def test_dedup_reads_the_dates_html_pages_give(tmp_path: Path, corpus: dict[str, str]) -> None:
    import html

    body = "".join(f"<p>{html.escape(p)}</p>" for p in corpus["doc002"].split("\n\n"))

    def page(day: str, extra: str = "") -> str:
        meta = f'<meta property="article:published_time" content="{day}T07:00:00Z">'
        return f"<html><head>{meta}</head><body><article>{extra}{body}</article></body></html>"

    root = tmp_path / "pages"
    root.mkdir()
    # By content alone the page with a sign-up line would be the copy; its date says it came first.
    (root / "early.html").write_text(page("2024-05-01", "<p>Subscribe to our newsletter | Share on X</p>"))
    (root / "late.html").write_text(page("2024-05-02"))
    store = _store(tmp_path)
    index_paths([root], store)
    rows = {r.id: r for r in dedup(store).rows}
    assert rows["late.html"].original == "early.html" and rows["late.html"].relation == "republish"
    store.close()


def test_write_rows_parquet_and_jsonl(tmp_path: Path, corpus: dict[str, str]) -> None:
    import pyarrow.parquet as pq

    src = _write_jsonl(tmp_path / "c.jsonl", [{"id": k, "text": v} for k, v in corpus.items()])
    store = _store(tmp_path)
    index_paths([src], store)
    result = dedup(store)
    store.close()
    table = pq.read_table(write_rows(result.rows, tmp_path / "out.parquet"))
    assert table.column_names == ["id", "cluster", "original", "relation", "score"]
    assert table.num_rows == len(corpus)
    lines = (write_rows(result.rows, tmp_path / "out.jsonl")).read_text().splitlines()
    assert len(lines) == len(corpus) and json.loads(lines[0]).keys() == {
        "id",
        "cluster",
        "original",
        "relation",
        "score",
    }
    assert not list(tmp_path.glob(".*tmp"))


def test_cli_index_search_dedup(
    tmp_path: Path, corpus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "articles"
    d.mkdir()
    for k, v in corpus.items():
        (d / f"{k}.txt").write_text(v, encoding="utf-8")
    db = str(tmp_path / "x.db")
    assert main(["index", str(d), "--db", db, "--no-progress"]) == 0
    assert "indexed 63 new documents" in capsys.readouterr().err
    q = tmp_path / "q.txt"
    q.write_text(corpus["doc001"], encoding="utf-8")
    assert main(["search", str(q), "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == str(q)
    assert {"doc001.txt", "copy-exact.txt", "copy-boiler.txt"} <= {h["id"] for h in out["hits"]}
    assert set(out["hits"][0]) >= {"id", "relation", "score", "direction"}
    assert main(["dedup", "--db", db, "--out", str(tmp_path / "c.jsonl")]) == 0
    summary = capsys.readouterr().out
    assert "63 documents" in summary and "copy families" in summary


def test_cli_bad_input_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(
        '{"id": "a", "text": "The mayor resigned on Monday after a vote."}\n{"id": "b", "text": \n',
        encoding="utf-8",
    )
    db = str(tmp_path / "x.db")
    assert main(["index", str(src), "--db", db, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err and "Traceback" not in err
    assert main(["index", str(src), "--db", db, "--no-progress", "--on-error", "skip"]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "bad.jsonl:2" in err
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT id FROM docs").fetchall() == [("a",)]


def test_cli_search_without_index_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    q = tmp_path / "q.txt"
    q.write_text("The council approved the budget.", encoding="utf-8")
    assert main(["search", str(q), "--db", str(tmp_path / "none.db")]) == 2
    assert "no such index" in capsys.readouterr().err


def test_an_sqlite_without_json_functions_is_a_clear_error() -> None:
    """Band keys are written through json_each: an SQLite without it stops `retold index` with a
    message saying what is needed, not with a failed statement in the middle of a batch."""
    import retold.store as store_mod
    from retold.errors import ConfigError

    class NoJson:
        def execute(self, sql: str, *args: object) -> None:
            raise sqlite3.OperationalError("no such function: json_valid")

    with pytest.raises(ConfigError, match=r"SQLite 3\.38 or newer"):
        store_mod._require_json(NoJson())  # type: ignore[arg-type]
    store_mod._require_json(sqlite3.connect(":memory:"))  # this Python's SQLite has them


def test_vector_file_is_repaired_after_a_crash_and_deleted_rows_stay_deleted(
    tmp_path: Path, corpus: dict[str, str]
) -> None:
    """The vector file is a cache of the database: a torn last record (a crash mid-append) or
    records never written (a crash after a commit) are caught up when it is next read; a deleted
    document is never found again, even when SQLite reuses its row id."""
    import numpy as np

    src = _write_jsonl(tmp_path / "c.jsonl", [{"id": k, "text": v} for k, v in corpus.items()])
    store = _store(tmp_path)
    index_paths([src], store, batch_size=4)
    store.close()
    vf = tmp_path / "idx.db.vectors"
    record = 8 + 2 * 128
    assert vf.stat().st_size == record * len(corpus)
    with open(vf, "r+b") as f:  # the last 5 records lost, half of one more torn
        f.truncate(record * (len(corpus) - 5) - record // 2)
    store = _store(tmp_path)
    ids = {h.id for h in search(store, corpus["copy-edit"]).hits}
    assert {"doc001", "copy-exact", "copy-boiler"} <= ids
    rows, matrix = store.vectors()
    assert sorted(rows.tolist()) == list(range(1, len(corpus) + 1))
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-2)
    store.close()
    assert vf.stat().st_size == record * len(corpus)  # repaired on disk too
    # delete the last row, add another document: SQLite gives it the same row id
    store = _store(tmp_path)
    last = store.get([len(corpus)])[0]
    assert store.delete(last.id)
    other = _article(random.Random(99))
    index_paths([_write_jsonl(tmp_path / "n.jsonl", [{"id": "new", "text": other}])], store)
    assert store.get_by_id("new").rowid == last.rowid  # type: ignore[union-attr]
    store.close()
    with open(vf, "r+b") as f:  # and the new document's vector lost: the old one must not stand in
        f.truncate(f.seek(0, 2) - record)
    store = _store(tmp_path)
    rows, matrix = store.vectors()
    assert len(rows) == len(set(rows.tolist())) == len(corpus)
    new = store.get_by_id("new")
    assert new is not None
    assert np.allclose(matrix[rows.tolist().index(new.rowid)], new.vector, atol=1e-3)  # not the old one
    assert last.id not in {h.id for h in search(store, last.text).hits}
    store.close()


def test_sigkill_mid_index_then_rerun_indexes_each_document_once(tmp_path: Path) -> None:
    rng = random.Random(3)
    n = 3000
    src = _write_jsonl(tmp_path / "big.jsonl", [{"id": f"d{i}", "text": _article(rng, 3)} for i in range(n)])
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "retold", "index", str(src), "--db", str(db), "--no-progress"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        try:
            with sqlite3.connect(db, timeout=1) as con:
                committed = con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        except sqlite3.Error:
            continue
        if committed > 0:
            break
    assert proc.poll() is None, "indexing finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < committed < n
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as con:
        ids = [r[0] for r in con.execute("SELECT id FROM docs")]
        bands = con.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
    assert len(ids) == n and len(set(ids)) == n
    assert bands >= n  # every document has its band rows
    store = SQLiteStore(db)
    assert len(store.vectors()[0]) == n  # the vector file caught up with the database
    store.close()


# -- acceptance on the BBC corpus (skipped without ../shared) -------------------------------------


@pytest.fixture(scope="module")
def bbc_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    shared = ROOT.parent / "shared" / "data"
    if not (shared / "bbc").is_dir():
        pytest.skip("../shared/data is not present")
    store = SQLiteStore(tmp_path_factory.mktemp("bbc") / "bbc.db")
    index_paths([shared / "bbc"], store, on_error="skip")
    return store


def _same_body(store: SQLiteStore, hit_id: str, source_id: str) -> bool:
    hit, src = store.get_by_id(hit_id), store.get_by_id(source_id)
    return hit is not None and src is not None and hit.body_sha == src.body_sha


def test_bbc_rewrites_and_summaries_find_their_source_top1(bbc_store: SQLiteStore) -> None:
    data = ROOT.parent / "shared" / "data"
    queries = []
    for f in sorted((data / "rewrites").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        queries.append((f.name, d["rewrite"], d["source_path"]))
    summaries = data / "bbc-summaries" / "summary"
    for f in sorted(summaries.glob("*/*.txt")):
        queries.append((str(f), f.read_text(encoding="latin-1"), str(f.relative_to(summaries))))
    assert len(queries) >= 136
    misses = []
    for name, text, source in queries:
        hits = search(bbc_store, text, top=3).hits
        # the source itself, or a corpus article with the same body (the corpus holds
        # byte-identical articles and copies that differ only in their headline)
        if not hits or not (hits[0].id == source or _same_body(bbc_store, hits[0].id, source)):
            misses.append((name, source, [h.id for h in hits]))
    assert not misses


def test_bbc_dedup_finds_the_98_identical_pairs(bbc_store: SQLiteStore) -> None:
    import hashlib
    from collections import defaultdict

    root = ROOT.parent / "shared" / "data" / "bbc"
    by_hash: dict[str, list[str]] = defaultdict(list)
    for p in sorted(root.glob("*/*.txt")):
        by_hash[hashlib.sha256(p.read_bytes()).hexdigest()].append(p.relative_to(root).as_posix())
    pairs = [v for v in by_hash.values() if len(v) == 2]
    assert len(pairs) == 98
    rows = {r.id: r for r in dedup(bbc_store).rows}
    for a, b in pairs:
        assert rows[a].cluster == rows[b].cluster
        if "original" in (rows[a].relation, rows[b].relation):
            copy = a if rows[a].relation != "original" else b
            assert rows[copy].relation == "identical"
        else:  # both are copies of a third document: the same relation to it
            assert rows[a].relation == rows[b].relation and rows[a].score == rows[b].score


def test_bbc_dedup_without_vector_neighbours_keeps_the_copies(
    bbc_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond EXACT_KNN representatives dedup takes no vector neighbours: names and figures (LSH)
    and passages find the candidates. On the BBC corpus that must keep every family of copies,
    light edits and paraphrases; only partial reuse of short passages may be lost."""
    import retold.dedup as dedup_module

    exact = dedup(bbc_store)
    monkeypatch.setattr(dedup_module, "EXACT_KNN", 0)
    large = dedup(bbc_store)
    by_id = {r.id: r for r in large.rows}
    for r in exact.rows:
        if r.relation != "partial_reuse":
            assert (by_id[r.id].cluster, by_id[r.id].relation) == (r.cluster, r.relation), r.id
    assert large.verified_edges >= 0.97 * exact.verified_edges


def test_bbc_dedup_verifying_in_small_batches_changes_nothing(
    bbc_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification drops a document's shingles after its last candidate pair to bound memory;
    the families must not depend on how many pairs are verified at a time."""
    import retold.dedup as dedup_module

    whole = dedup(bbc_store)
    monkeypatch.setattr(dedup_module, "VERIFY_BATCH", 7)
    batched = dedup(bbc_store)
    assert batched.rows == whole.rows
    assert batched.verified_edges == whole.verified_edges > 0


def test_two_lifted_paragraphs_are_found_as_partial_reuse(tmp_path: Path) -> None:
    rng = random.Random(21)
    source = _article(rng, 8)
    paras = source.split("\n\n")
    # a new, longer story that lifts two paragraphs (a quarter of the source, a sixth of it)
    host = _article(rng, 10).split("\n\n")
    lifted = "\n\n".join([*host[:4], paras[2], paras[3], *host[4:]])
    docs = [{"id": f"other{i}", "text": _article(rng)} for i in range(40)]
    docs += [{"id": "source", "text": source}, {"id": "lifted", "text": lifted}]
    src = _write_jsonl(tmp_path / "c.jsonl", docs)
    store = _store(tmp_path)
    index_paths([src], store)
    hits = search(store, lifted).hits
    top = next(h for h in hits if h.id != "lifted")
    assert top.id == "source" and top.relation is Relation.PARTIAL_REUSE
    rows = {r.id: r for r in dedup(store).rows}
    assert rows["lifted"].cluster == rows["source"].cluster
    assert "partial_reuse" in (rows["lifted"].relation, rows["source"].relation)
    store.close()


def test_top_k_neighbours_match_a_stable_sort_including_ties() -> None:
    """The partial selection of vector neighbours picks exactly what sorting each row would."""
    import numpy as np

    from retold.families import _top_k

    rng = np.random.default_rng(0)
    for trial in range(100):
        m, n = int(rng.integers(1, 30)), int(rng.integers(2, 50))
        k = int(rng.integers(1, n))
        sims = rng.integers(0, 4, (m, n)).astype(np.float32) if trial % 2 else rng.random((m, n))
        order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        rows_, cols, vals = _top_k(sims, k)
        assert (rows_ == np.repeat(np.arange(m), k)).all()
        assert (cols == order.ravel()).all()
        assert (vals == sims[rows_, cols]).all()


def test_anchor_pairs_pair_close_documents_sharing_names_and_figures_only() -> None:
    """Candidates without a vector search: rows sharing most of their names and figures (an LSH band
    of them) become a pair when their vectors are paraphrase-close; sharing the names but not the
    closeness, or the closeness but not the names, is not enough."""
    import numpy as np

    from retold.families import AnchorTable, anchor_pairs

    rng = np.random.default_rng(1)
    names = rng.integers(0, 2**63, 20, dtype=np.uint64)
    rows = [
        np.sort(names),
        np.sort(np.concatenate([names[:18], rng.integers(0, 2**63, 2, dtype=np.uint64)])),  # 18 of 20
        np.sort(names),  # the same names ...
        np.sort(rng.integers(0, 2**63, 20, dtype=np.uint64)),  # other names
    ]
    base = rng.normal(size=128)
    far = rng.normal(size=128)
    vecs = np.stack([base, base + 0.05 * rng.normal(size=128), far, base + 0.05 * rng.normal(size=128)])
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    sigs = rng.integers(0, 2**32, (4, 128), dtype=np.uint64).astype(np.uint32)  # no shared wording
    pairs = anchor_pairs(AnchorTable.of(rows), vecs, sigs)
    assert pairs.tolist() == [[0, 1]]  # ... but a far vector (2); close but other names (3)


def test_stored_body_reads_back_whether_it_is_a_slice_of_the_text_or_not(tmp_path: Path) -> None:
    """Bodies are stored as a slice of the text when they are one piece of it, compressed when
    boilerplate was cut from their middle: both read back as the body that was indexed."""
    from retold.clean import body_text, split_title

    rng = random.Random(5)
    plain = _article(rng)
    paras = _article(rng).split("\n\n")
    cut = "\n\n".join([*paras[:2], "Sign up to our newsletter | Share: Facebook | X | Email", *paras[2:]])
    src = _write_jsonl(tmp_path / "c.jsonl", [{"id": "plain", "text": plain}, {"id": "cut", "text": cut}])
    store = _store(tmp_path)
    index_paths([src], store)
    for doc_id, text in (("plain", plain), ("cut", cut)):
        got = store.get_by_id(doc_id)
        assert got is not None and got.text == text
        assert got.body == split_title(body_text(text)[0])[1]
    store.close()


def test_band_stage_grows_with_the_tables_and_every_key_stays_findable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staged band rows are merged when they are as many as the indexed ones (so the tables
    are rewritten a logarithmic number of times), the count kept survives reopening, and every
    document is found by its keys before and after each merge."""
    import numpy as np

    import retold.store as store_mod
    from retold.store import EncodedDoc

    monkeypatch.setattr(store_mod, "STAGE_ROWS", 100)
    rng = np.random.default_rng(3)
    store = _store(tmp_path)
    merges: list[int] = []
    original = store._merge_bands

    def counted() -> None:
        merges.append(store._staged)
        original()

    monkeypatch.setattr(store, "_merge_bands", counted)
    keys: dict[int, list[int]] = {}
    for batch in range(40):
        docs = []
        for i in range(5):
            bands = rng.integers(-(2**62), 2**62, size=4).tolist()
            blob = b"\x00" * 8
            values = (f"d{batch}-{i}", "s", "b", blob, blob, blob, blob, blob, blob, 0, 0, blob,
                      None, None, None, None, None, "")
            vector = np.zeros(store.params.dims, dtype=np.float32)
            docs.append(EncodedDoc(values, json.dumps(bands), "[]", vector))
        for rowid, d in zip(store.add(docs), docs, strict=True):
            keys[rowid] = json.loads(d.bands)
        for rowid, k in keys.items():
            assert rowid in store.band_matches(np.array(k, dtype=np.int64).view(np.uint64))
    # 800 rows staged 4 at a time: merges at 100, 100, 200, 400 rows, not one per 100 rows.
    assert merges == [100, 100, 200, 400]
    store.flush()
    assert store.db.execute("SELECT COUNT(*) FROM bands_new").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == 800
    store.close()
    reopened = _store(tmp_path)
    assert reopened._merged == 800
    reopened.close()
