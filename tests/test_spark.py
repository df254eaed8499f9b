"""The Spark engine, run for real in local[2] mode: same families as the local engine."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")

from made_up import article as _article  # noqa: E402
from retold import spark as rs  # noqa: E402
from retold.cli import main  # noqa: E402
from retold.dedup import dedup  # noqa: E402
from retold.errors import InputError  # noqa: E402
from retold.indexer import index_paths  # noqa: E402
from retold.store import SQLiteStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = rs.session("local[2]")
    yield session
    session.stop()


def _local_rows(paths: list[Path], tmp: Path) -> dict[str, tuple[str, str, str, float]]:
    store = SQLiteStore(tmp / "local.db")
    index_paths(paths, store, on_error="skip")
    rows = {r.id: (r.cluster, r.original, r.relation, r.score) for r in dedup(store).rows}
    store.close()
    return rows


def _spark_rows(spark: Any, paths: list[Path]) -> dict[str, tuple[str, str, str, float]]:
    docs = rs.read_documents(spark, paths, on_error="skip")
    return {
        r["id"]: (r["cluster"], r["original"], r["relation"], r["score"]) for r in rs.dedup(docs).collect()
    }


def _planted(tmp: Path) -> Path:
    """Generated articles with exact, republished, edited and partially reused copies, dated and not."""
    rng = random.Random(5)
    docs = []
    for i in range(120):
        docs.append(
            {"id": f"a{i:03d}", "text": _article(rng), "date": f"2024-02-{1 + i % 27:02d}" if i % 3 else None}
        )
    for i in range(0, 40, 4):
        src = docs[i]["text"]
        paras = src.split("\n\n")
        docs.append({"id": f"exact-{i}", "text": src})
        docs.append({"id": f"boiler-{i}", "text": "Share this story | Facebook | X | Email\n\n" + src})
        docs.append(
            {
                "id": f"edit-{i}",
                "text": "\n\n".join([*paras[:-1], paras[-1].replace(".", ", police said.", 1)]),
            }
        )
        docs.append({"id": f"part-{i}", "text": "\n\n".join([_article(rng, 3), *paras[1:3]])})
    path = tmp / "planted.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in d.items() if v is not None}) + "\n" for d in docs))
    return path


def test_spark_and_local_give_the_same_families_on_planted_copies(spark: Any, tmp_path: Path) -> None:
    corpus = _planted(tmp_path)
    local = _local_rows([corpus], tmp_path)
    distributed = _spark_rows(spark, [corpus])
    assert distributed == local
    # and the planted copies were found
    assert local["exact-0"][1] == local["boiler-0"][1] == local["a000"][1]
    assert local["edit-4"][1] == local["a004"][1]


def test_spark_and_local_agree_on_bbc_with_rewrites(spark: Any, tmp_path: Path) -> None:
    if not (DATA / "bbc").is_dir():
        pytest.skip("../shared/data is not present")
    rewrites = tmp_path / "rewrites.jsonl"
    with rewrites.open("w") as f:
        for p in sorted((DATA / "rewrites").glob("*.json")):
            d = json.loads(p.read_text(encoding="utf-8"))
            f.write(json.dumps({"id": f"rewrite/{p.stem}", "text": d["rewrite"]}) + "\n")
    paths = [DATA / "bbc", rewrites]
    local = _local_rows(paths, tmp_path)
    distributed = _spark_rows(spark, paths)
    assert len(local) > 2000
    assert distributed == local


def test_corrupt_file_is_named_or_skipped(spark: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "g1", "text": _article(random.Random(1))}) + "\n")
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1 this is not a parquet file")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        rs.read_documents(spark, [good, bad])
    skipped: list[Any] = []
    docs = rs.read_documents(spark, [good, bad], on_error="skip", on_skip=skipped.append)
    assert [r["id"] for r in docs.collect()] == ["g1"]
    assert skipped and "broken.parquet" in skipped[0].origin


def test_cli_spark_dedup_rerun_leaves_no_duplicate_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    corpus = _planted(tmp_path)
    out = tmp_path / "clusters.parquet"
    argv = ["dedup", str(corpus), "--engine", "spark", "--spark-master", "local[2]", "--out", str(out)]
    assert main(argv) == 0
    assert main(argv) == 0  # a rerun replaces the output as a whole
    table = pq.read_table(out)
    ids = table.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 160
    assert "copy families" in capsys.readouterr().out


def test_cli_spark_index_writes_parquet(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    corpus = _planted(tmp_path)
    out = tmp_path / "index"
    assert (
        main(["index", str(corpus), "--engine", "spark", "--spark-master", "local[2]", "--out", str(out)])
        == 0
    )
    documents = pq.read_table(out / "documents")
    assert documents.num_rows == 160
    assert {"id", "sha", "body_sha", "signature", "vector", "bands"} <= set(documents.column_names)
    assert pq.read_table(out / "bands").num_rows == 160 * 32


def test_local_sessions_get_memory_settings_the_user_did_not_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local session gets enough driver memory for 100k documents (and a page size that a hash
    aggregate can get); a cluster's master and the user's own settings are left alone."""
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.delenv("SPARK_HOME", raising=False)
    monkeypatch.delenv("SPARK_CONF_DIR", raising=False)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "spark-defaults.conf").write_text("spark.driver.memory 1g\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a conf/ folder where the user happens to be is not Spark's
    assert rs.local_settings(None) == rs.local_settings("local[2]") == rs.LOCAL_CONF
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert rs.local_settings("spark://cluster:7077") == {}
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--conf spark.driver.memory=12g pyspark-shell")
    assert rs.local_settings("local[2]") == {"spark.buffer.pageSize": "16m"}
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    (tmp_path / "spark-defaults.conf").write_text("spark.buffer.pageSize 8m\n", encoding="utf-8")
    assert rs.local_settings("local[2]") == {"spark.driver.memory": "4g"}
