"""retold on Apache Spark: the same dedup and index for corpora beyond one machine.

Every stage calls the functions the local engine calls — reading
(:func:`retold.ingest.iter_source`), cleaning and fingerprinting
(:func:`retold.evidence.prepare`), candidate pairs (the MinHash band join,
:func:`retold.families.knn_pairs`, :func:`retold.families.anchor_pairs`),
verification (:func:`retold.families.verify`) — on the same originality ranks, so the two
engines produce the same families and originals. Spark only decides where
the work runs:

- input files are spread over tasks (one task reads one file: split large
  JSONL/Parquet inputs into many files for parallelism);
- the band join is a ``posexplode`` + ``groupBy`` on (band, key);
- exact vector neighbours are computed block by block in tasks against a
  broadcast matrix of representative vectors (``n × 128`` float32: 51 MB at
  100k documents — beyond a few million, shard the matrix);
- families are the lexicographically first maximal independent set of the
  verified-edge graph (see :mod:`retold.families`), computed in rounds of
  DataFrame joins: a document becomes an original once every lower-ranked
  neighbour is known not to be one, and a copy as soon as one is.

pyspark is an optional extra: ``pip install 'retold[spark]'``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from retold.errors import InputError, MissingDependency
from retold.ingest import Document, Skip, list_sources
from retold.store import IndexParams

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["dedup", "index", "prepare", "read_documents", "session"]

_MAX_ROUNDS = 10_000


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise MissingDependency("the Spark engine needs pyspark: pip install 'retold[spark]'") from exc
    return pyspark


# In local mode the driver JVM runs every task and gathers the representatives' vectors and
# signatures too: at 100k documents Spark's 1 GB default lost task results from the block manager
# ("TaskResultLost"). With 4 GB Spark picks larger memory pages (64 MB), which a hash aggregate then
# could not get ("AGGREGATE_OUT_OF_MEMORY"), so the page size is set as well.
LOCAL_CONF = {"spark.driver.memory": "4g", "spark.buffer.pageSize": "16m"}


def local_settings(master: str | None) -> dict[str, str]:
    """The settings of :data:`LOCAL_CONF` a session on ``master`` takes: none on a cluster, and none
    the user gave (``PYSPARK_SUBMIT_ARGS``, ``spark-defaults.conf``), whose settings win."""
    if not (master or "local").startswith("local"):
        return {}
    given = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    home = os.environ.get("SPARK_HOME")
    conf_dir = os.environ.get("SPARK_CONF_DIR") or (os.path.join(home, "conf") if home else None)
    if conf_dir is not None:
        try:
            with open(os.path.join(conf_dir, "spark-defaults.conf"), encoding="utf-8") as f:
                given += f.read()
        except OSError:
            pass
    return {k: v for k, v in LOCAL_CONF.items() if k not in given}


def session(master: str | None = None, app: str = "retold") -> SparkSession:
    """A SparkSession (``local[*]`` unless ``master`` says otherwise) whose workers run this Python."""
    _pyspark()
    from pyspark.sql import SparkSession

    # Workers run the interpreter (and so the retold) of the driver, unless the user said otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    builder = builder.config("spark.sql.shuffle.partitions", "8").config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false").master(master or "local[*]")
    for key, value in local_settings(master).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# -- reading ----------------------------------------------------------------------------------

_DOC_FIELDS = ("id", "text", "url", "title", "date", "site", "origin", "skip_origin", "skip_reason")


def _read_partition(sources: Iterable[Any], max_bytes: int) -> Iterator[tuple[Any, ...]]:
    from retold.ingest import Source, iter_source

    for raw in sources:
        src = Source(*raw)
        skips: list[Skip] = []
        for d in iter_source(src, on_error="skip", on_skip=skips.append, max_bytes=max_bytes):
            yield (d.id, d.text, d.url, d.title, d.date, d.site, d.origin, None, None)
        for s in skips:
            yield (None, None, None, None, None, None, None, s.origin, s.reason)


def read_documents(
    spark: SparkSession,
    paths: Sequence[str | Path],
    *,
    on_error: Literal["skip", "fail"] = "fail",
    on_skip: Any = None,
    max_bytes: int = 20_000_000,
) -> DataFrame:
    """Documents of ``paths`` (every format :mod:`retold.ingest` reads) as a DataFrame, one task per file.

    Bad input is collected and, with ``on_error="fail"``, raised as one
    :class:`~retold.errors.InputError` naming the file and line; with
    ``"skip"`` it is handed to ``on_skip``. Duplicate ids across files are
    bad input too.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    sources = list_sources(paths, on_error=on_error, on_skip=on_skip)
    schema = StructType([StructField(f, StringType()) for f in _DOC_FIELDS])
    rows = [(s.path, s.name, s.fmt, s.text_id) for s in sources]
    # A few tasks per core, each reading whole files in turn.
    slices = max(1, min(len(rows), 4 * spark.sparkContext.defaultParallelism))
    rdd = spark.sparkContext.parallelize(rows, slices)
    df = spark.createDataFrame(rdd.mapPartitions(lambda it: _read_partition(it, max_bytes)), schema).cache()
    bad = [Skip(r.skip_origin, r.skip_reason) for r in df.where(F.col("skip_reason").isNotNull()).collect()]
    dups = (
        df.where(F.col("id").isNotNull())
        .groupBy("id")
        .agg(F.count("*").alias("n"), F.min("origin").alias("first"), F.max("origin").alias("again"))
        .where(F.col("n") > 1)
        .collect()
    )
    bad += [Skip(r.again, f"duplicate id {r.id!r} (first seen at {r.first})") for r in dups]
    _report(bad, on_error, on_skip)
    docs = df.where(F.col("id").isNotNull()).drop("skip_origin", "skip_reason")
    if dups:
        docs = docs.dropDuplicates(["id"])
    return docs


def _report(bad: list[Skip], on_error: str, on_skip: Any) -> None:
    if not bad:
        return
    if on_error == "fail":
        first = sorted(bad, key=lambda s: s.origin)[0]
        raise InputError(first.reason, path=first.origin)
    for s in bad:
        if on_skip:
            on_skip(s)


# -- preparing --------------------------------------------------------------------------------


def _prepare_partition(rows: Iterable[Any], params: IndexParams) -> Iterator[tuple[Any, ...]]:
    from retold.docvec import static_embedder
    from retold.evidence import prepare as prepare_docs

    emb = static_embedder()
    batch: list[Document] = []

    def flush() -> Iterator[tuple[Any, ...]]:
        done, skips = prepare_docs(batch, params, emb)
        for d in done:
            yield (
                d.id,
                d.sha,
                d.body_sha,
                d.body,
                [int(k) for k in d.bands.view(np.int64)],
                [int(k) for k in d.passages.astype(np.uint64).view(np.int64)],
                bytes(d.signature.astype(np.uint32).tobytes()),
                bytes(d.vector.astype(np.float32).tobytes()),
                d.date,
                d.boilerplate,
                d.specifics,
                bytes(d.anchors.astype(np.uint64).tobytes()) if d.anchors is not None else b"",
                d.title,
                None,
            )
        for s in skips:  # every prepared column empty, the last one (skip) says why
            yield (*[None] * (_PREPARED_COLUMNS - 1), f"{s.origin}\t{s.reason}")

    for r in rows:
        batch.append(
            Document(
                id=r["id"],
                text=r["text"],
                url=r["url"],
                title=r["title"],
                date=r["date"],
                site=r["site"],
                origin=r["origin"] or r["id"],
            )
        )
        if len(batch) >= 500:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


_PREPARED_COLUMNS = 14  # the fields of the schema in :func:`prepare`


def prepare(
    docs: DataFrame, params: IndexParams | None = None, *, on_error: str = "fail", on_skip: Any = None
) -> DataFrame:
    """Clean, fingerprint and embed a DataFrame of documents (columns id, text and optional
    url, title, date, site, origin) with :func:`retold.evidence.prepare`."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        IntegerType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    params = params or IndexParams()
    for col in ("url", "title", "date", "site", "origin"):
        if col not in docs.columns:
            docs = docs.withColumn(col, F.lit(None).cast("string"))
    schema = StructType(
        [
            StructField("id", StringType()),
            StructField("sha", StringType()),
            StructField("body_sha", StringType()),
            StructField("body", StringType()),
            StructField("bands", ArrayType(LongType())),
            StructField("passages", ArrayType(LongType())),
            StructField("signature", BinaryType()),
            StructField("vector", BinaryType()),
            StructField("date", StringType()),
            StructField("boilerplate", IntegerType()),
            StructField("specifics", IntegerType()),
            StructField("anchors", BinaryType()),
            StructField("title", StringType()),
            StructField("skip", StringType()),
        ]
    )
    assert len(schema.fields) == _PREPARED_COLUMNS
    cols = docs.select("id", "text", "url", "title", "date", "site", "origin")
    out = docs.sparkSession.createDataFrame(
        cols.rdd.mapPartitions(lambda it: _prepare_partition(it, params)), schema
    ).cache()
    skipped = out.where(F.col("skip").isNotNull()).select("skip").collect()
    _report([Skip(*r.skip.split("\t", 1)) for r in skipped], on_error, on_skip)
    return out.where(F.col("skip").isNull()).drop("skip")


# -- dedup ------------------------------------------------------------------------------------


def _ranked(prepared: DataFrame) -> DataFrame:
    """Add ``rank``: the position in originality order (as :func:`retold.evidence.originality_key`)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    keys = prepared.select("id", "date", "boilerplate", "specifics").orderBy(
        F.coalesce(F.col("date"), F.lit("9999-99-99")),
        F.col("boilerplate"),
        F.col("specifics").desc(),
        F.col("id"),
    )
    schema = StructType([StructField("id", StringType()), StructField("rank", LongType())])
    ranks = prepared.sparkSession.createDataFrame(
        keys.select("id").rdd.zipWithIndex().map(lambda x: (x[0][0], x[1])), schema
    )
    return prepared.join(ranks, "id")


def _band_pairs_partition(groups: Iterable[Any], max_bucket: int) -> Iterator[tuple[int, int]]:
    for g in groups:
        ranks = sorted(g["ranks"])
        if len(ranks) > max_bucket:
            for r in ranks[1:]:
                yield (ranks[0], r)
        else:
            for a in range(len(ranks)):
                for b in range(a + 1, len(ranks)):
                    yield (ranks[a], ranks[b])


def _verify_partition(rows: Iterable[Any], k: int) -> Iterator[tuple[int, int, str, float]]:
    from retold.families import verify
    from retold.store import StoredDoc

    def doc(prefix: str, r: Any) -> StoredDoc:
        return StoredDoc(
            id=r[f"{prefix}id"],
            text="",
            body=r[f"{prefix}body"],
            sha=r[f"{prefix}sha"],
            body_sha=r[f"{prefix}body_sha"],
            signature=np.frombuffer(r[f"{prefix}signature"], dtype=np.uint32),
            bands=np.zeros(0, dtype=np.uint64),
            vector=np.frombuffer(r[f"{prefix}vector"], dtype=np.float32),
            boilerplate=r[f"{prefix}boilerplate"],
            specifics=r[f"{prefix}specifics"],
            anchors=np.frombuffer(r[f"{prefix}anchors"], dtype=np.uint64),
            date=r[f"{prefix}date"],
        )

    for r in rows:
        verdict = verify(doc("a_", r), doc("b_", r), k)
        if verdict is not None:
            yield (r["a"], r["b"], verdict[0].value, round(float(verdict[1]), 4))


def dedup(
    docs: DataFrame,
    *,
    params: IndexParams | None = None,
    prepared: DataFrame | None = None,
    on_error: str = "fail",
    on_skip: Any = None,
    progress: Any = None,
) -> DataFrame:
    """Copy families of a DataFrame of documents (id, text, optional date, url, title, site):
    one row per document — id, cluster, original, relation, score — as the local engine gives."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from retold.families import (
        KNN_BLOCK,
        MAX_BUCKET,
        MAX_PASSAGE_BUCKET,
        MIN_SHARED_PASSAGES,
        AnchorTable,
        anchor_pairs,
        close_pairs,
        knn_pairs,
    )

    spark = docs.sparkSession
    params = params or IndexParams()
    clock = [time.perf_counter()]

    def done(stage: str, df: DataFrame) -> None:
        """With ``progress``: materialise a stage and report its time (costs one action)."""
        if progress is not None:
            n = df.count()
            now = time.perf_counter()
            progress(f"{stage}: {n:,} rows in {now - clock[0]:.1f} s")
            clock[0] = now

    prep = prepared if prepared is not None else prepare(docs, params, on_error=on_error, on_skip=on_skip)
    ranked = _ranked(prep).cache()

    # same body: the lowest rank represents
    rep = ranked.groupBy("body_sha").agg(F.min("rank").alias("rep"))
    ranked = ranked.join(rep, "body_sha").cache()
    done("prepared and ranked", ranked)
    reps = ranked.where(F.col("rank") == F.col("rep"))

    # candidates: the band join ...
    pair_schema = StructType([StructField("a", LongType()), StructField("b", LongType())])
    buckets = (
        reps.select("rank", F.posexplode("bands").alias("band", "key"))
        .groupBy("band", "key")
        .agg(F.collect_list("rank").alias("ranks"))
        .where(F.size("ranks") > 1)
    )
    band = spark.createDataFrame(
        buckets.rdd.mapPartitions(lambda it: _band_pairs_partition(it, MAX_BUCKET)), pair_schema
    )

    # ... passages shared (winnowing fingerprints; stock phrases in too many documents pair nothing) ...
    passage_groups = (
        reps.select("rank", F.explode("passages").alias("key"))
        .groupBy("key")
        .agg(F.collect_list("rank").alias("ranks"))
        .where((F.size("ranks") > 1) & (F.size("ranks") <= MAX_PASSAGE_BUCKET))
    )
    shared = spark.createDataFrame(
        passage_groups.rdd.mapPartitions(lambda it: _band_pairs_partition(it, MAX_PASSAGE_BUCKET)),
        pair_schema,
    )
    counted = shared.groupBy("a", "b").count()
    passage = counted.where(F.col("count") >= MIN_SHARED_PASSAGES).select("a", "b")

    # ... and exact vector neighbours, block by block in tasks
    # Streamed to the driver a partition at a time: collected at once (≈ 150 MB at 100k documents),
    # a task's result was once lost from the block manager ("TaskResultLost").
    rep_rows = list(reps.select("rank", "vector", "signature", "anchors").orderBy("rank").toLocalIterator())
    rep_ranks = np.array([r["rank"] for r in rep_rows], dtype=np.int64)
    vectors = (
        np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rep_rows])
        if rep_rows
        else np.zeros((0, params.dims), dtype=np.float32)
    )
    signatures = (
        np.stack([np.frombuffer(r["signature"], dtype=np.uint32) for r in rep_rows])
        if rep_rows
        else np.zeros((0, params.num_perm), dtype=np.uint32)
    )
    rep_anchors = AnchorTable.of([np.frombuffer(r["anchors"], dtype=np.uint64) for r in rep_rows])
    bc = spark.sparkContext.broadcast((vectors, signatures, rep_ranks, rep_anchors))
    blocks = (len(rep_rows) + KNN_BLOCK - 1) // KNN_BLOCK

    def knn_block(block: int) -> Iterator[tuple[int, int]]:
        vecs, sigs, ranks, anchor_table = bc.value
        for a, b in knn_pairs(vecs, block, sigs, anchors=anchor_table):
            yield (int(ranks[a]), int(ranks[b]))

    knn = spark.createDataFrame(
        spark.sparkContext.parallelize(range(blocks), max(1, blocks)).flatMap(knn_block), pair_schema
    )
    # ... pairs sharing one passage that pass the rule of vector neighbours ...
    def close_partition(rows: Iterable[Any]) -> Iterator[tuple[int, int]]:
        vecs, sigs, ranks, anchor_table = bc.value
        got = np.array([(r["a"], r["b"]) for r in rows], dtype=np.int64).reshape(-1, 2)
        a, b = np.searchsorted(ranks, got[:, 0]), np.searchsorted(ranks, got[:, 1])
        for i, j in got[close_pairs(a, b, vecs, sigs, anchor_table)].tolist():
            yield (int(i), int(j))

    one = counted.where(F.col("count") < MIN_SHARED_PASSAGES).select("a", "b")
    one_close = spark.createDataFrame(one.rdd.mapPartitions(close_partition), pair_schema)
    # ... and names and figures shared (their LSH bands, on the driver: one pass of hashing and sorting)
    local = anchor_pairs(rep_anchors, vectors, signatures)
    by_anchor = spark.createDataFrame(
        [(int(rep_ranks[a]), int(rep_ranks[b])) for a, b in local.tolist()], pair_schema
    )
    pairs = band.union(passage).union(knn).union(one_close).union(by_anchor).distinct().cache()
    done("candidate pairs", pairs)

    # verification on the full texts
    side = ranked.select(
        "rank",
        "id",
        "sha",
        "body_sha",
        "body",
        "signature",
        "vector",
        "boilerplate",
        "specifics",
        "date",
        "anchors",
    )
    a_side = side.select(*[F.col(c).alias(f"a_{c}") for c in side.columns])
    b_side = side.select(*[F.col(c).alias(f"b_{c}") for c in side.columns])
    joined = pairs.join(a_side, pairs.a == a_side.a_rank).join(b_side, pairs.b == b_side.b_rank)
    edge_schema = StructType(
        [
            StructField("a", LongType()),
            StructField("b", LongType()),
            StructField("relation", StringType()),
            StructField("score", DoubleType()),
        ]
    )
    k = params.shingle
    edges = spark.createDataFrame(
        joined.rdd.mapPartitions(lambda it: _verify_partition(it, k)), edge_schema
    ).cache()

    done("verified edges", edges)
    family = _star_families(edges).cache()  # rank -> (original rank, relation, score) for nodes with edges
    done("family members", family)

    # rows: a document takes its representative's family
    fam = family.select(
        F.col("node").alias("rep"), "orig", F.col("relation").alias("f_rel"), F.col("score").alias("f_score")
    )
    rep_sha = ranked.select(F.col("rank").alias("rep"), F.col("sha").alias("rep_sha"))
    rows = ranked.select("rank", "id", "sha", "rep").join(fam, "rep", "left").join(rep_sha, "rep")
    rows = rows.withColumn("orig", F.coalesce("orig", "rep"))
    is_rep = F.col("rank") == F.col("rep")
    rep_is_original = F.col("orig") == F.col("rep")
    relation = (
        F.when(is_rep, F.coalesce("f_rel", F.lit("original")))
        .when(
            rep_is_original,
            F.when(F.col("sha") == F.col("rep_sha"), F.lit("identical")).otherwise(F.lit("republish")),
        )
        .otherwise(F.col("f_rel"))
    )
    score = (
        F.when(is_rep, F.coalesce("f_score", F.lit(1.0)))
        .when(rep_is_original, F.lit(1.0))
        .otherwise(F.col("f_score"))
    )
    rows = rows.withColumn("relation", relation).withColumn("score", score)
    names = ranked.select(F.col("rank").alias("orig"), F.col("id").alias("original"))
    out = rows.join(names, "orig").select(
        "id", F.col("original").alias("cluster"), "original", "relation", "score"
    )
    return out


def _star_families(edges: DataFrame) -> DataFrame:
    """The lexicographically first maximal independent set of the edge graph, in rounds of joins.

    Returns (node, orig, relation, score) for every node with an edge.
    """
    from pyspark.sql import functions as F

    e = edges.select(
        F.least("a", "b").alias("lo"), F.greatest("a", "b").alias("hi"), "relation", "score"
    ).cache()
    nodes = e.select(F.col("lo").alias("node")).union(e.select(F.col("hi").alias("node"))).distinct()
    state = nodes.withColumn("status", F.lit("U")).localCheckpoint()
    for _ in range(_MAX_ROUNDS):
        if state.where(F.col("status") == "U").limit(1).count() == 0:
            break
        lower = e.join(state.select(F.col("node").alias("lo"), F.col("status").alias("lo_status")), "lo")
        agg = lower.groupBy(F.col("hi").alias("node")).agg(
            F.max((F.col("lo_status") == "C").cast("int")).alias("any_c"),
            F.min((F.col("lo_status") == "N").cast("int")).alias("all_n"),
        )
        state = (
            state.join(agg, "node", "left")
            .withColumn(
                "status",
                F.when(F.col("status") != "U", F.col("status"))
                .when(F.col("any_c") == 1, F.lit("N"))
                .when(F.col("any_c").isNull() | (F.col("all_n") == 1), F.lit("C"))
                .otherwise(F.lit("U")),
            )
            .select("node", "status")
            .localCheckpoint()
        )
    centers = state.where(F.col("status") == "C").select(F.col("node").alias("c"))
    # a copy joins its lowest-ranked original neighbour
    both = e.select(F.col("lo").alias("c"), F.col("hi").alias("m"), "relation", "score").union(
        e.select(F.col("hi").alias("c"), F.col("lo").alias("m"), "relation", "score")
    )
    links = both.join(centers, "c").join(
        state.where(F.col("status") == "N").select(F.col("node").alias("m")), "m"
    )
    best = links.groupBy("m").agg(F.min(F.struct("c", "relation", "score")).alias("best"))
    members = best.select(
        F.col("m").alias("node"),
        F.col("best.c").alias("orig"),
        F.col("best.relation").alias("relation"),
        F.col("best.score").alias("score"),
    )
    originals = centers.select(
        F.col("c").alias("node"),
        F.col("c").alias("orig"),
        F.lit("original").alias("relation"),
        F.lit(1.0).alias("score"),
    )
    return originals.union(members)


# -- index ------------------------------------------------------------------------------------


def index(prepared: DataFrame, out: str) -> None:
    """Write an index as Parquet: ``out/documents`` (ids, hashes, signatures, vectors, hints),
    ``out/bands`` (id, band, key) and ``out/passages`` (id, key). Overwrites, so a rerun after a
    killed job leaves no duplicates."""
    from pyspark.sql import functions as F

    prepared.drop("body").write.mode("overwrite").parquet(f"{out.rstrip('/')}/documents")
    prepared.select("id", F.posexplode("bands").alias("band", "key")).write.mode("overwrite").parquet(
        f"{out.rstrip('/')}/bands"
    )
    prepared.select("id", F.explode("passages").alias("key")).write.mode("overwrite").parquet(
        f"{out.rstrip('/')}/passages"
    )
